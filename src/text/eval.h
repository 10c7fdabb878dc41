/* eval.h: `otklik eval routing|cluster` — quality and speed of the text models on real appeals. */
#ifndef OTKLIK_TEXT_EVAL_H
#define OTKLIK_TEXT_EVAL_H

/* argv[0] is "eval", argv[1] "routing" or "cluster" (see --help of each). Prints progress and
 * one JSON object as the last line of stdout; errors go to stderr. Returns a process exit code:
 * 0 success, 2 usage error, 1 failure (unreadable or malformed input). */
int eval_main(int argc, char **argv);

#endif
