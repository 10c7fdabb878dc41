/* test_xml.c: unit tests for open311/xml.c (escaping writer, JSON → Open311 XML). */
#include <criterion/criterion.h>

#include "core/arena.h"
#include "core/err.h"
#include "open311/xml.h"

#include <string.h>

static struct arena a;
static struct xml x;

static void setup(void)
{
	arena_init(&a, 1024);
	xml_init(&x, 1 << 20);
}

static void teardown(void)
{
	xml_release(&x);
	arena_release(&a);
}

TestSuite(xml, .init = setup, .fini = teardown);

#define DECL "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"

static const char *finish(void)
{
	const char *out;
	size_t len;
	cr_assert_eq(xml_finish(&x, &a, &out, &len), 0);
	cr_assert_eq(strlen(out), len);
	cr_assert(strncmp(out, DECL, strlen(DECL)) == 0, "declaration first: %s", out);
	return out + strlen(DECL);
}

Test(xml, escapes_text_and_attributes)
{
	xml_start(&x, "a");
	xml_attr(&x, "t", "x\"y'<&>\n");
	xml_text(&x, "1 < 2 & 3 > 2 \"q\" 'a'", strlen("1 < 2 & 3 > 2 \"q\" 'a'"));
	xml_end(&x);
	cr_assert_str_eq(finish(),
	                 "<a t=\"x&quot;y&apos;&lt;&amp;&gt;&#10;\">1 &lt; 2 &amp; 3 &gt; 2 "
	                 "&quot;q&quot; &apos;a&apos;</a>\n");
}

Test(xml, nested_and_empty_elements)
{
	xml_start(&x, "root");
	xml_elem(&x, "empty", NULL);
	xml_elem(&x, "name", "Дорога");
	xml_start(&x, "open"); /* closed by finish */
	cr_assert_str_eq(finish(),
	                 "<root><empty></empty><name>Дорога</name><open></open></root>\n");
}

Test(xml, keeps_newlines_and_tabs_in_text)
{
	xml_elem(&x, "d", "a\nb\tc\r");
	cr_assert_str_eq(finish(), "<d>a\nb\tc&#13;</d>\n");
}

Test(xml, refuses_control_characters)
{
	const char *bad[] = {"a\001b", "\x1f", "a\x0b", "\x7f\x01"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct xml y;
		xml_init(&y, 1024);
		xml_elem(&y, "d", bad[i]);
		const char *out;
		size_t len;
		cr_assert_eq(xml_finish(&y, &a, &out, &len), ERR_INVALID, "case %zu accepted", i);
		xml_release(&y);
	}
}

Test(xml, refuses_invalid_utf8_and_nonchars)
{
	xml_elem(&x, "d", "\xd0");
	const char *out;
	size_t len;
	cr_assert_eq(xml_finish(&x, &a, &out, &len), ERR_INVALID);
	struct xml y;
	xml_init(&y, 1024);
	xml_elem(&y, "d", "\xef\xbf\xbf"); /* U+FFFF */
	cr_assert_eq(xml_finish(&y, &a, &out, &len), ERR_INVALID);
	xml_release(&y);
}

Test(xml, refuses_bad_names_and_unbalanced_ends)
{
	const char *names[] = {"", "1a", "a b", "a<b", "a&", "-x"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct xml y;
		xml_init(&y, 1024);
		xml_start(&y, names[i]);
		const char *out;
		size_t len;
		cr_assert_eq(xml_finish(&y, &a, &out, &len), ERR_INVALID, "name '%s' accepted",
		             names[i]);
		xml_release(&y);
	}
	xml_end(&x);
	const char *out;
	size_t len;
	cr_assert_eq(xml_finish(&x, &a, &out, &len), ERR_INVALID);
}

Test(xml, size_limit)
{
	struct xml y;
	xml_init(&y, 64);
	char big[200];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	xml_elem(&y, "d", big);
	const char *out;
	size_t len;
	cr_assert_eq(xml_finish(&y, &a, &out, &len), ERR_TOOLARGE);
	xml_release(&y);
}

Test(xml, open311_lists_from_json)
{
	json_t *v =
	    json_pack("[{s:s,s:b,s:n,s:i,s:f,s:[{s:s,s:s}]}]", "service_code", "a&b", "metadata", 1,
	              "zipcode", "order", 2, "lat", 54.5, "values", "key", "k", "name", "<n>");
	xml_from_json(&x, "services", NULL, v);
	json_decref(v);
	cr_assert_str_eq(finish(),
	                 "<services><service><service_code>a&amp;b</service_code>"
	                 "<metadata>true</metadata><zipcode></zipcode><order>2</order>"
	                 "<lat>54.5</lat><values><value><key>k</key><name>&lt;n&gt;</name></value>"
	                 "</values></service></services>\n");
}

Test(xml, errors_and_requests_roots)
{
	json_t *v = json_pack("[{s:i,s:s}]", "code", 403, "description", "нет ключа");
	xml_from_json(&x, "errors", NULL, v);
	json_decref(v);
	cr_assert_str_eq(finish(), "<errors><error><code>403</code><description>нет ключа"
	                           "</description></error></errors>\n");
	struct xml y;
	xml_init(&y, 1024);
	v = json_pack("[{s:s}]", "service_request_id", "7");
	xml_from_json(&y, "service_requests", NULL, v);
	json_decref(v);
	const char *out;
	size_t len;
	cr_assert_eq(xml_finish(&y, &a, &out, &len), 0);
	cr_assert(strstr(out,
	                 "<service_requests><request><service_request_id>7</service_request_id>"
	                 "</request></service_requests>"),
	          "%s", out);
	xml_release(&y);
}
