/*
 * faxcall: two spandsp T.30 fax terminals (fax_state_t) back to back, for
 * softfax's tests. One calls and sends a TIFF, the other answers and receives.
 * The audio of both directions is written to a stereo 16-bit 8 kHz WAV file
 * (left: what the caller sends, right: what the answerer sends, each as the
 * other end hears it, noise included), and every T.30 frame each terminal
 * sends is logged on stdout, one per line:
 *
 *     frame <sample> <caller|answerer> <hex octets without FCS>
 *     done <caller|answerer> <completion code> <completion text>
 *     stats pages=<n> bit_rate=<bps> ecm=<0|1>
 *
 * Written by softfax against spandsp's public API (fax.h, t30_api.h); no
 * spandsp code is copied.
 *
 * Usage: faxcall OUT.wav TX.tif RX.tif ECM MODEMS COMPRESSIONS
 *                NOISE_START_S NOISE_LEN_S NOISE_DBM0 MAX_SECONDS
 * MODEMS and COMPRESSIONS are spandsp's T30_SUPPORT_* masks.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faxterm.h"

struct side {
    const char *name;
    fax_state_t *fax;
    int done;
    int code;
};

static long now; /* sample clock: first sample of the current block */

static void on_frame(t30_state_t *t, void *user, int incoming, const uint8_t msg[], int len)
{
    struct side *s = user;

    (void) t;
    if (incoming)
        return; /* each frame is logged once, by the terminal that sent it */
    printf("frame %ld %s ", now, s->name);
    faxterm_hex(stdout, msg, len);
}

static void on_phase_e(t30_state_t *t, void *user, int code)
{
    struct side *s = user;

    (void) t;
    s->done = 1;
    s->code = code;
}

/* Gaussian noise from a fixed-seed generator, so a call replays exactly. */
static uint64_t rng = 0x9E3779B97F4A7C15ULL;

static double uniform(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return ((rng >> 11) + 0.5) / 9007199254740992.0;
}

static double gauss(void)
{
    return sqrt(-2.0 * log(uniform())) * cos(2.0 * M_PI * uniform());
}

static int16_t clip(double v)
{
    if (v > 32767.0)
        return 32767;
    if (v < -32768.0)
        return -32768;
    return (int16_t) lrint(v);
}

static void put16(FILE *f, unsigned v)
{
    fputc(v & 0xff, f);
    fputc((v >> 8) & 0xff, f);
}

static void put32(FILE *f, unsigned long v)
{
    put16(f, v & 0xffff);
    put16(f, (v >> 16) & 0xffff);
}

static void wav_header(FILE *f, unsigned long frames)
{
    unsigned long data = frames * 4;

    fwrite("RIFF", 1, 4, f);
    put32(f, 36 + data);
    fwrite("WAVEfmt ", 1, 8, f);
    put32(f, 16);
    put16(f, 1);
    put16(f, 2);
    put32(f, 8000);
    put32(f, 8000 * 4);
    put16(f, 4);
    put16(f, 16);
    fwrite("data", 1, 4, f);
    put32(f, data);
}

static void setup(struct side *s, const char *name, int calling, int ecm, int modems, int compressions)
{
    s->name = name;
    s->fax = faxterm_new("faxcall", calling, calling ? "SPANDSP CALLER" : "SPANDSP ANSWERER", ecm, modems,
                         compressions, on_phase_e, on_frame, s);
}

int main(int argc, char **argv)
{
    struct side caller, answerer;
    int16_t a[BLOCK], b[BLOCK], inter[2 * BLOCK];
    double noise_start, noise_len, noise_rms;
    long max, frames = 0, after_done = -1;
    t30_stats_t st;
    FILE *wav;
    int i;

    if (argc != 11) {
        fprintf(stderr, "usage: faxcall OUT.wav TX.tif RX.tif ECM MODEMS COMPRESSIONS NOISE_START NOISE_LEN NOISE_DBM0 MAX_SECONDS\n");
        return 2;
    }
    noise_start = atof(argv[7]) * 8000.0;
    noise_len = atof(argv[8]) * 8000.0;
    /* 0 dBm0 is a sine of peak 32768 / 10^(3.14/20) in G.711's 16-bit scale. */
    noise_rms = 32768.0 / pow(10.0, 3.14 / 20.0) / sqrt(2.0) * pow(10.0, atof(argv[9]) / 20.0);
    max = atol(argv[10]) * 8000L;

    memset(&caller, 0, sizeof(caller));
    memset(&answerer, 0, sizeof(answerer));
    setup(&caller, "caller", 1, atoi(argv[4]), atoi(argv[5]), atoi(argv[6]));
    setup(&answerer, "answerer", 0, atoi(argv[4]), atoi(argv[5]), atoi(argv[6]));
    t30_set_tx_file(fax_get_t30_state(caller.fax), argv[2], -1, -1);
    t30_set_rx_file(fax_get_t30_state(answerer.fax), argv[3], -1);

    wav = fopen(argv[1], "wb");
    if (wav == NULL) {
        perror(argv[1]);
        return 1;
    }
    wav_header(wav, 0);
    for (now = 0; now < max; now += BLOCK) {
        faxterm_tx(caller.fax, a);
        faxterm_tx(answerer.fax, b);
        for (i = 0; i < BLOCK; i++) {
            double t = now + i;
            if (t >= noise_start && t < noise_start + noise_len) {
                a[i] = clip(a[i] + noise_rms * gauss());
                b[i] = clip(b[i] + noise_rms * gauss());
            }
            inter[2 * i] = a[i];
            inter[2 * i + 1] = b[i];
        }
        for (i = 0; i < 2 * BLOCK; i++)
            put16(wav, (uint16_t) inter[i]);
        frames += BLOCK;
        fax_rx(answerer.fax, a, BLOCK);
        fax_rx(caller.fax, b, BLOCK);
        if (caller.done && answerer.done && after_done < 0)
            after_done = now;
        /* Half a second of what follows the end (the last DCN's tail). */
        if (after_done >= 0 && now - after_done >= 4000)
            break;
    }
    fseek(wav, 0, SEEK_SET);
    wav_header(wav, frames);
    fclose(wav);
    printf("done caller %d %s\n", caller.code, t30_completion_code_to_str(caller.code));
    printf("done answerer %d %s\n", answerer.code, t30_completion_code_to_str(answerer.code));
    t30_get_transfer_statistics(fax_get_t30_state(answerer.fax), &st);
    printf("stats pages=%d bit_rate=%d ecm=%d\n", st.pages_rx, st.bit_rate, st.error_correcting_mode);
    fax_free(caller.fax);
    fax_free(answerer.fax);
    return 0;
}
