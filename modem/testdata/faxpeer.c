/*
 * faxpeer: one spandsp T.30 fax terminal (fax_state_t) on a pipe, for
 * softfax's modem engine tests. It runs in lockstep with the test: for
 * every block it reads 160 little-endian int16 samples (what the engine
 * sent) from stdin, gives them to the terminal, and writes the terminal's
 * next 160 samples to stdout. At the end of stdin it reports on stderr:
 *
 *     frame <sample> <in|out> <hex octets without FCS>   (as it happens)
 *     done <completion code> pages=<n> rate=<bit/s> <completion text>
 *
 * Written by softfax against spandsp's public API (fax.h, t30_api.h); no
 * spandsp code is copied.
 *
 * Usage: faxpeer call TX.tif     (calls, sends TX.tif)
 *        faxpeer answer RX.tif   (answers, receives into RX.tif)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <spandsp.h>

#define BLOCK 160

static long now;
static int done, code = -1;

static void on_frame(t30_state_t *t, void *user, int incoming, const uint8_t msg[], int len)
{
    int i;

    (void) t;
    (void) user;
    fprintf(stderr, "frame %ld %s ", now, incoming ? "in" : "out");
    for (i = 0; i < len; i++)
        fprintf(stderr, "%02x", msg[i]);
    fprintf(stderr, "\n");
}

static void on_phase_e(t30_state_t *t, void *user, int result)
{
    (void) t;
    (void) user;
    done = 1;
    code = result;
}

int main(int argc, char **argv)
{
    int16_t in[BLOCK], out[BLOCK];
    fax_state_t *fax;
    t30_state_t *t;
    t30_stats_t st;
    int calling, i, n;

    if (argc != 3 || (strcmp(argv[1], "call") != 0 && strcmp(argv[1], "answer") != 0)) {
        fprintf(stderr, "usage: faxpeer call TX.tif | faxpeer answer RX.tif\n");
        return 2;
    }
    calling = strcmp(argv[1], "call") == 0;
    fax = fax_init(NULL, calling);
    if (fax == NULL) {
        fprintf(stderr, "faxpeer: fax_init failed\n");
        return 1;
    }
    fax_set_transmit_on_idle(fax, 1);
    t = fax_get_t30_state(fax);
    t30_set_tx_ident(t, calling ? "SPANDSP CALLER" : "SPANDSP ANSWER");
    t30_set_ecm_capability(t, 0);
    t30_set_supported_compressions(t, T30_SUPPORT_T4_1D_COMPRESSION);
    t30_set_phase_e_handler(t, on_phase_e, NULL);
    t30_set_real_time_frame_handler(t, on_frame, NULL);
    if (calling)
        t30_set_tx_file(t, argv[2], -1, -1);
    else
        t30_set_rx_file(t, argv[2], -1);

    for (now = 0;; now += BLOCK) {
        if (fread(in, sizeof(int16_t), BLOCK, stdin) != BLOCK)
            break;
        fax_rx(fax, in, BLOCK);
        n = fax_tx(fax, out, BLOCK);
        for (i = n; i < BLOCK; i++)
            out[i] = 0;
        if (fwrite(out, sizeof(int16_t), BLOCK, stdout) != BLOCK)
            break;
        fflush(stdout);
    }
    t30_get_transfer_statistics(t, &st);
    fprintf(stderr, "done %d pages=%d rate=%d %s\n", code, calling ? st.pages_tx : st.pages_rx,
            st.bit_rate, t30_completion_code_to_str(code));
    fax_free(fax);
    return 0;
}
