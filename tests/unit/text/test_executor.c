/* test_executor.c: body suggestion from topic, district and point; model files. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"
#include "text/executor.h"

#define DAY 86400
static const int64_t T0 = 1614556800; /* 2021-03-01 */

Test(executor, majority_of_topic_and_district)
{
	struct executor_model m;
	executor_init(&m);
	for (int i = 0; i < 5; i++)
		executor_add(&m, "snow", "Кировский", NAN, NAN, T0 + i * DAY,
		             "СПб ГКУ ЖА Кировского района");
	executor_add(&m, "snow", "Кировский", NAN, NAN, T0 + 6 * DAY,
	             "Администрация Кировского района");
	executor_add(&m, "pit", "Кировский", NAN, NAN, T0, "Дирекция дорог");
	float score;
	cr_assert_str_eq(executor_predict(&m, "snow", "Кировский", NAN, NAN, &score),
	                 "СПб ГКУ ЖА Кировского района");
	cr_assert_gt(score, 0.5f);
	cr_assert_str_eq(executor_predict(&m, "pit", "Кировский", NAN, NAN, NULL),
	                 "Дирекция дорог");
	cr_assert_str_eq(executor_predict(&m, "new topic", "Кировский", NAN, NAN, NULL),
	                 "СПб ГКУ ЖА Кировского района", "falls back to the district's usual body");
	cr_assert_null(executor_predict(&m, "new topic", "Невский", NAN, NAN, NULL));
	cr_assert_eq(executor_add(&m, "snow", "Кировский", NAN, NAN, T0, ""), 0,
	             "unrouted: ignored");
	executor_release(&m);
}

Test(executor, district_templates_generalise_to_unseen_districts)
{
	struct executor_model m;
	executor_init(&m);
	executor_add(&m, "yard", "Кировский", NAN, NAN, T0, "Администрация Кировского района");
	executor_add(&m, "yard", "Выборгский", NAN, NAN, T0, "Администрация Выборгского района");
	executor_add(&m, "roof", "Центральный", NAN, NAN, T0, "Администрация Центрального района");
	/* never saw "yard" in Центральный, but the pattern "Администрация <district> района" holds
	 */
	cr_assert_str_eq(executor_predict(&m, "yard", "Центральный", NAN, NAN, NULL),
	                 "Администрация Центрального района");
	executor_release(&m);
}

Test(executor, nearby_appeals_on_the_same_topic_decide_a_split_district)
{
	struct executor_model m;
	executor_init(&m);
	for (int i = 0; i < 3; i++) {
		executor_add(&m, "stairs", "Приморский", 59.99, 30.19, T0 + i * DAY,
		             "Управляющая компания А");
		executor_add(&m, "stairs", "Приморский", 59.95, 30.25, T0 + i * DAY,
		             "Управляющая компания Б");
	}
	cr_assert_str_eq(executor_predict(&m, "stairs", "Приморский", 59.9901, 30.1901, NULL),
	                 "Управляющая компания А");
	cr_assert_str_eq(executor_predict(&m, "stairs", "Приморский", 59.9501, 30.2501, NULL),
	                 "Управляющая компания Б");
	executor_release(&m);
}

Test(executor, recent_routing_outweighs_old)
{
	struct executor_model m;
	executor_init(&m);
	for (int i = 0; i < 3; i++)
		executor_add(&m, "snow", "Кировский", NAN, NAN, T0 + i * DAY, "Старый исполнитель");
	for (int i = 0; i < 2; i++)
		executor_add(&m, "snow", "Кировский", NAN, NAN, T0 + (90 + i) * DAY,
		             "Новый исполнитель");
	cr_assert_str_eq(executor_predict(&m, "snow", "Кировский", NAN, NAN, NULL),
	                 "Новый исполнитель");
	executor_release(&m);
}

Test(executor, save_and_load)
{
	struct executor_model m, back;
	executor_init(&m);
	executor_add(&m, "stairs", "Приморский", 59.99, 30.19, T0, "Управляющая компания А");
	executor_add(&m, "stairs", "Приморский", 59.95, 30.25, T0, "Управляющая компания Б");
	executor_add(&m, "stairs", "Приморский", 59.95, 30.25, T0, "Управляющая компания Б");
	char path[] = "/tmp/otklik-test-exeXXXXXX";
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	close(fd);
	cr_assert_eq(executor_save(&m, path), 0);
	executor_init(&back);
	cr_assert_eq(executor_load(&back, path), 0);
	cr_assert_str_eq(executor_predict(&back, "stairs", "Приморский", 59.9901, 30.1901, NULL),
	                 "Управляющая компания А");
	cr_assert_str_eq(executor_predict(&back, "stairs", "Приморский", NAN, NAN, NULL),
	                 "Управляющая компания Б");
	cr_assert_eq(truncate(path, 30), 0);
	cr_assert_eq(executor_load(&back, path), ERR_INVALID);
	cr_assert_null(executor_predict(&back, "stairs", "Приморский", NAN, NAN, NULL));
	executor_release(&back);
	executor_release(&m);
	unlink(path);
}
