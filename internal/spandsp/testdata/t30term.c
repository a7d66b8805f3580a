/*
 * t30term: one spandsp T.30 fax terminal (fax_state_t: spandsp's T.30 engine
 * with its modems) exchanging audio with softfax over stdin and stdout, in
 * lockstep on the sample clock:
 *
 *   softfax writes BLOCK little-endian int16 samples (what the terminal
 *   hears); t30term feeds them to fax_rx, asks fax_tx for BLOCK samples and
 *   writes them back, followed by one status octet: 1 once the terminal has
 *   reached phase E, else 0.
 *
 * At end of input it prints one line on stdout:
 *
 *   result <completion code> pages_tx=<n> pages_rx=<n> bit_rate=<bps> ecm=<0|1> <completion text>
 *
 * Every T.30 frame the terminal sends or receives is logged on stderr as
 * "frame <sample> <tx|rx> <hex>".
 *
 * Written by softfax against spandsp's public API (fax.h, t30_api.h); no
 * spandsp code is copied.
 *
 * Usage: t30term CALLING TX.tif RX.tif ECM MODEMS COMPRESSIONS IDENT
 * (TX.tif or RX.tif may be "-": nothing to send / receive). MODEMS and
 * COMPRESSIONS are spandsp's T30_SUPPORT_* masks.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faxterm.h"

static long now;
static int done;
static int code;

static void on_frame(t30_state_t *t, void *user, int incoming, const uint8_t msg[], int len)
{
    (void) t;
    (void) user;
    fprintf(stderr, "frame %ld %s ", now, incoming ? "rx" : "tx");
    faxterm_hex(stderr, msg, len);
}

static void on_phase_e(t30_state_t *t, void *user, int c)
{
    (void) t;
    (void) user;
    done = 1;
    code = c;
}

int main(int argc, char **argv)
{
    fax_state_t *fax;
    t30_state_t *t;
    int16_t in[BLOCK], out[BLOCK];
    uint8_t status;
    t30_stats_t st;

    if (argc != 8) {
        fprintf(stderr, "usage: t30term CALLING TX.tif RX.tif ECM MODEMS COMPRESSIONS IDENT\n");
        return 2;
    }
    fax = faxterm_new("t30term", atoi(argv[1]), argv[7], atoi(argv[4]), atoi(argv[5]), atoi(argv[6]), on_phase_e,
                      on_frame, NULL);
    t = fax_get_t30_state(fax);
    t30_set_supported_resolutions(t, T30_SUPPORT_STANDARD_RESOLUTION | T30_SUPPORT_FINE_RESOLUTION
                                         | T30_SUPPORT_SUPERFINE_RESOLUTION);
    if (strcmp(argv[2], "-") != 0)
        t30_set_tx_file(t, argv[2], -1, -1);
    if (strcmp(argv[3], "-") != 0)
        t30_set_rx_file(t, argv[3], -1);

    for (now = 0;; now += BLOCK) {
        if (fread(in, sizeof(int16_t), BLOCK, stdin) != BLOCK)
            break;
        fax_rx(fax, in, BLOCK);
        faxterm_tx(fax, out);
        status = done;
        if (fwrite(out, sizeof(int16_t), BLOCK, stdout) != BLOCK || fwrite(&status, 1, 1, stdout) != 1)
            return 1;
        fflush(stdout);
    }
    t30_get_transfer_statistics(t, &st);
    printf("result %d pages_tx=%d pages_rx=%d bit_rate=%d ecm=%d %s\n", done ? code : -1, st.pages_tx, st.pages_rx,
           st.bit_rate, st.error_correcting_mode, done ? t30_completion_code_to_str(code) : "not finished");
    fax_free(fax);
    return 0;
}
