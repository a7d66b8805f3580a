/*
 * faxterm.h: what t30term.c and faxcall.c share: a spandsp T.30 fax
 * terminal (fax_state_t: spandsp's T.30 engine with its modems) set up from
 * the harness's arguments, its audio clocked in 20 ms blocks, and its frames
 * logged in hex. Included by exactly one .c file of each program, so its
 * functions are static.
 *
 * Written by softfax against spandsp's public API (fax.h, t30_api.h); no
 * spandsp code is copied.
 */
#ifndef SOFTFAX_FAXTERM_H
#define SOFTFAX_FAXTERM_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <spandsp.h>

/* Samples per exchange: 20 ms at 8 kHz, as on an IAX2 or RTP line. */
#define BLOCK 160

/*
 * faxterm_new starts one terminal with the T.30 capabilities the test asks
 * for (MODEMS and COMPRESSIONS are spandsp's T30_SUPPORT_* masks) and the
 * given phase E and real-time frame handlers; it exits the program if
 * spandsp cannot.
 */
static fax_state_t *faxterm_new(const char *prog, int calling, const char *ident, int ecm, int modems,
                                int compressions, t30_phase_e_handler_t *phase_e,
                                t30_real_time_frame_handler_t *frame, void *user)
{
    fax_state_t *fax;
    t30_state_t *t;

    fax = fax_init(NULL, calling);
    if (fax == NULL) {
        fprintf(stderr, "%s: fax_init failed\n", prog);
        exit(1);
    }
    t = fax_get_t30_state(fax);
    t30_set_tx_ident(t, ident);
    t30_set_ecm_capability(t, ecm);
    t30_set_supported_modems(t, modems);
    t30_set_supported_compressions(t, compressions);
    t30_set_phase_e_handler(t, phase_e, user);
    t30_set_real_time_frame_handler(t, frame, user);
    return fax;
}

/*
 * faxterm_tx fills out with the terminal's next BLOCK samples, silence
 * where it has nothing to send, so both ends stay on one sample clock.
 */
static void faxterm_tx(fax_state_t *fax, int16_t out[BLOCK])
{
    int i, n;

    n = fax_tx(fax, out, BLOCK);
    for (i = n; i < BLOCK; i++)
        out[i] = 0;
}

/* faxterm_hex writes a frame's octets (address to information, no FCS). */
static void faxterm_hex(FILE *f, const uint8_t msg[], int len)
{
    int i;

    for (i = 0; i < len; i++)
        fprintf(f, "%02x", msg[i]);
    fprintf(f, "\n");
}

#endif
