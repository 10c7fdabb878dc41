/* eval_spikes.h: `otklik eval spikes` — replays an appeals export through the clustering and
 * the spike detector with injected synthetic bursts and scores the alarms. */
#ifndef OTKLIK_ANALYTICS_EVAL_SPIKES_H
#define OTKLIK_ANALYTICS_EVAL_SPIKES_H

/* argv[0] = "eval", argv[1] = "spikes", options after. Returns the exit code (0, 1 unreadable
 * input, 2 usage). Prints progress on stderr and the JSON result as the last stdout line. */
int eval_spikes_main(int argc, char **argv);

#endif
