/*
 * sfhelper: a small command-line bridge to spandsp, used only by softfax's
 * interoperability tests and benchmarks (package internal/spandsp). It is
 * written against spandsp's public API headers; it contains no spandsp code.
 *
 * Build: gcc -O2 -o sfhelper sfhelper.c $(pkg-config --cflags --libs spandsp) -ltiff -lm
 *
 * All binary numbers are little endian. A SEG argument is
 * modem:rate:train, modem one of v21 v27ter v29 v17, train long or short
 * (v21 ignores rate and train). Modes, one per process:
 *
 *   tx [-l dBm0] SEG...      stdin, per SEG: u32 n, n bytes of bits (0 or 1)
 *                            stdout: int16 samples; each SEG runs to the end
 *                            of its trailer (spandsp's transmitter stops).
 *   hdlctx [-l dBm0] [-f flags] SEG...
 *                            stdin, per SEG: u32 nframes, per frame u32 len
 *                            and len bytes. HDLC (CRC-16) over the modem,
 *                            'flags' preamble flag octets (default 32).
 *   rx [-c dBm0] SEG...      stdin, per SEG: u32 n, n int16 samples. The
 *   hdlcrx [-c dBm0] SEG...  receiver is (re)started for each SEG; a short
 *                            train reuses the previous training. -c sets
 *                            the receiver's carrier cutoff (*_signal_cutoff).
 *                            stdout: records (see below).
 *   hdlcbits [-f flags]      HDLC alone: stdin u32 nframes, per frame u32
 *                            len and len bytes; stdout: the bits of
 *                            spandsp's hdlc_tx, one byte each, to its end.
 *   hdlcbitsrx               stdin: bits, one byte each; stdout: records
 *                            from spandsp's hdlc_rx ('at' counts bits).
 *   g711                     stdout: 65536 bytes linear_to_ulaw(x) for
 *                            x = -32768..32767, 65536 bytes linear_to_alaw,
 *                            256 int16 ulaw_to_linear, 256 int16 alaw_to_linear.
 *   tonetx cng|ced|ansam N   stdout: N int16 samples of modem_connect_tones_tx.
 *   tonerx cng|ced           stdin: int16 samples to EOF; stdout: records.
 *   timetx SEG nbits reps    modulate nbits random bits reps times; stdout
 *                            text "cpu_seconds samples_per_rep".
 *   timerx SEG reps          stdin: u32 n + n int16 samples; demodulate them
 *                            reps times (blocks of 160); stdout text
 *                            "cpu_seconds samples_per_rep".
 *
 * Records (rx, hdlcrx, tonerx), each starting with a type byte:
 *   0x00, 0x01               one demodulated data bit (rx only)
 *   0x02 i32 status i64 at   a modem status change (SIG_STATUS_*), at the
 *                            index of the sample being processed
 *   0x03 i32 len u8 ok i64 at, len bytes   an HDLC frame (without FCS)
 *   0x04 i32 tone i32 level i64 at         a connect tone report
 * Receivers run one sample per call so that 'at' is exact.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <spandsp.h>

enum { M_V21, M_V27TER, M_V29, M_V17 };

struct seg {
    int modem;
    int rate;
    int short_train;
};

static void die(const char *msg, const char *arg)
{
    fprintf(stderr, "sfhelper: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
    exit(2);
}

static struct seg parse_seg(const char *a)
{
    struct seg g = {0, 0, 0};
    char name[16], train[16] = "long";
    int rate = 0;
    int n = sscanf(a, "%15[^:]:%d:%15s", name, &rate, train);
    if (n < 1)
        die("bad segment", a);
    if (strcmp(name, "v21") == 0) g.modem = M_V21;
    else if (strcmp(name, "v27ter") == 0) g.modem = M_V27TER;
    else if (strcmp(name, "v29") == 0) g.modem = M_V29;
    else if (strcmp(name, "v17") == 0) g.modem = M_V17;
    else die("unknown modem", a);
    g.rate = rate;
    if (strcmp(train, "short") == 0) g.short_train = 1;
    else if (strcmp(train, "long") != 0) die("train must be long or short", a);
    if (g.modem != M_V21 && n < 2) die("missing rate", a);
    return g;
}

/* ---- little-endian I/O ---- */

static void must_read(void *p, size_t n)
{
    if (n && fread(p, 1, n, stdin) != n)
        die("short read on stdin", NULL);
}

static uint32_t read_u32(void)
{
    uint8_t b[4];
    must_read(b, 4);
    return (uint32_t) b[0] | ((uint32_t) b[1] << 8) | ((uint32_t) b[2] << 16) | ((uint32_t) b[3] << 24);
}

static int16_t *read_samples(uint32_t n)
{
    int16_t *s = malloc((n ? n : 1) * sizeof(int16_t));
    uint8_t *b = malloc((n ? n : 1) * 2);
    if (!s || !b) die("out of memory", NULL);
    must_read(b, (size_t) n * 2);
    for (uint32_t i = 0; i < n; i++)
        s[i] = (int16_t) (b[2 * i] | (b[2 * i + 1] << 8));
    free(b);
    return s;
}

static void put_u8(int v) { putchar(v & 0xFF); }

static void put_i32(int32_t v)
{
    uint32_t u = (uint32_t) v;
    for (int i = 0; i < 4; i++) putchar((u >> (8 * i)) & 0xFF);
}

static void put_i64(int64_t v)
{
    uint64_t u = (uint64_t) v;
    for (int i = 0; i < 8; i++) putchar((u >> (8 * i)) & 0xFF);
}

static void put_samples(const int16_t *s, int n)
{
    for (int i = 0; i < n; i++) {
        putchar(s[i] & 0xFF);
        putchar((s[i] >> 8) & 0xFF);
    }
}

/* ---- transmit side ---- */

struct bitq {
    uint8_t *bits;
    uint32_t n, pos;
};

static int get_bit_q(void *user)
{
    struct bitq *q = user;
    if (q->pos >= q->n)
        return SIG_STATUS_END_OF_DATA;
    return q->bits[q->pos++] & 1;
}

struct frameq {
    uint8_t **frames;
    uint32_t *lens;
    uint32_t n, pos;
    hdlc_tx_state_t *hdlc;
};

static void hdlc_underflow(void *user)
{
    struct frameq *q = user;
    if (q->pos < q->n)
    {
        hdlc_tx_frame(q->hdlc, q->frames[q->pos], q->lens[q->pos]);
        q->pos++;
    }
    else
    {
        hdlc_tx_frame(q->hdlc, NULL, 0); /* end of data after closing flags */
    }
}

static int hdlc_get_bit(void *user)
{
    return hdlc_tx_get_bit((hdlc_tx_state_t *) user);
}

struct txmodem {
    fsk_tx_state_t *fsk;
    v27ter_tx_state_t *v27;
    v29_tx_state_t *v29;
    v17_tx_state_t *v17;
};

/* start_tx (re)starts the transmitter of g with get_bit. */
static void start_tx(struct txmodem *m, struct seg g, get_bit_func_t get_bit, void *user, int have_level, float level)
{
    switch (g.modem)
    {
    case M_V21:
        if (!m->fsk) m->fsk = fsk_tx_init(NULL, &preset_fsk_specs[FSK_V21CH2], get_bit, user);
        else fsk_tx_restart(m->fsk, &preset_fsk_specs[FSK_V21CH2]);
        fsk_tx_set_get_bit(m->fsk, get_bit, user);
        if (have_level) fsk_tx_power(m->fsk, level);
        break;
    case M_V27TER:
        if (g.short_train) die("spandsp has no V.27ter short-train transmitter", NULL);
        if (!m->v27) m->v27 = v27ter_tx_init(NULL, g.rate, 0, get_bit, user);
        else v27ter_tx_restart(m->v27, g.rate, 0);
        v27ter_tx_set_get_bit(m->v27, get_bit, user);
        if (have_level) v27ter_tx_power(m->v27, level);
        break;
    case M_V29:
        if (g.short_train) die("V.29 has no short train", NULL);
        if (!m->v29) m->v29 = v29_tx_init(NULL, g.rate, 0, get_bit, user);
        else v29_tx_restart(m->v29, g.rate, 0);
        v29_tx_set_get_bit(m->v29, get_bit, user);
        if (have_level) v29_tx_power(m->v29, level);
        break;
    case M_V17:
        if (!m->v17) m->v17 = v17_tx_init(NULL, g.rate, 0, get_bit, user);
        v17_tx_restart(m->v17, g.rate, 0, g.short_train);
        v17_tx_set_get_bit(m->v17, get_bit, user);
        if (have_level) v17_tx_power(m->v17, level);
        break;
    }
}

static int run_tx(struct txmodem *m, struct seg g, int16_t *amp, int len)
{
    switch (g.modem)
    {
    case M_V21: return fsk_tx(m->fsk, amp, len);
    case M_V27TER: return v27ter_tx(m->v27, amp, len);
    case M_V29: return v29_tx(m->v29, amp, len);
    case M_V17: return v17_tx(m->v17, amp, len);
    }
    return 0;
}

/* drain_tx writes the transmitter's output until it stops by itself. */
static void drain_tx(struct txmodem *m, struct seg g)
{
    int16_t amp[160];
    long total = 0;
    for (;;)
    {
        int n = run_tx(m, g, amp, 160);
        put_samples(amp, n);
        total += n;
        if (n < 160)
            break;
        if (total > 8000L * 3600)
            die("transmitter did not stop", NULL);
    }
}

/* ---- receive side ---- */

static int64_t sample_at;

static void record_status(int status)
{
    put_u8(2);
    put_i32(status);
    put_i64(sample_at);
}

static void put_bit_rec(void *user, int bit)
{
    (void) user;
    if (bit < 0)
        record_status(bit);
    else
        put_u8(bit & 1);
}

static void hdlc_frame(void *user, const uint8_t *pkt, int len, int ok)
{
    (void) user;
    if (len < 0 || pkt == NULL)
    {
        /* Modem statuses are recorded where the modem reports them; keep
           only what HDLC itself adds. */
        if (len == SIG_STATUS_FRAMING_OK || len == SIG_STATUS_ABORT)
            record_status(len);
        return;
    }
    put_u8(3);
    put_i32(len);
    put_u8(ok ? 1 : 0);
    put_i64(sample_at);
    fwrite(pkt, 1, (size_t) len, stdout);
}

static void hdlc_status(void *user, int status)
{
    hdlc_frame(user, NULL, status, 0);
}

static hdlc_rx_state_t *hdlc_rx;

static void put_bit_hdlc(void *user, int bit)
{
    (void) user;
    if (bit < 0)
        record_status(bit);
    hdlc_rx_put_bit(hdlc_rx, bit);
}

static void put_bit_null(void *user, int bit)
{
    (void) user;
    (void) bit;
}

struct rxmodem {
    fsk_rx_state_t *fsk;
    v27ter_rx_state_t *v27;
    v29_rx_state_t *v29;
    v17_rx_state_t *v17;
};

static int have_cutoff;
static float cutoff;

static void start_rx(struct rxmodem *m, struct seg g, put_bit_func_t put_bit)
{
    switch (g.modem)
    {
    case M_V21:
        if (!m->fsk) m->fsk = fsk_rx_init(NULL, &preset_fsk_specs[FSK_V21CH2], FSK_FRAME_MODE_SYNC, put_bit, NULL);
        else fsk_rx_restart(m->fsk, &preset_fsk_specs[FSK_V21CH2], FSK_FRAME_MODE_SYNC);
        fsk_rx_set_put_bit(m->fsk, put_bit, NULL);
        if (have_cutoff) fsk_rx_signal_cutoff(m->fsk, cutoff);
        break;
    case M_V27TER:
        if (!m->v27) m->v27 = v27ter_rx_init(NULL, g.rate, put_bit, NULL);
        v27ter_rx_restart(m->v27, g.rate, g.short_train);
        v27ter_rx_set_put_bit(m->v27, put_bit, NULL);
        if (have_cutoff) v27ter_rx_signal_cutoff(m->v27, cutoff);
        break;
    case M_V29:
        if (!m->v29) m->v29 = v29_rx_init(NULL, g.rate, put_bit, NULL);
        v29_rx_restart(m->v29, g.rate, g.short_train);
        v29_rx_set_put_bit(m->v29, put_bit, NULL);
        if (have_cutoff) v29_rx_signal_cutoff(m->v29, cutoff);
        break;
    case M_V17:
        if (!m->v17) m->v17 = v17_rx_init(NULL, g.rate, put_bit, NULL);
        v17_rx_restart(m->v17, g.rate, g.short_train);
        v17_rx_set_put_bit(m->v17, put_bit, NULL);
        if (have_cutoff) v17_rx_signal_cutoff(m->v17, cutoff);
        break;
    }
}

static void run_rx(struct rxmodem *m, struct seg g, const int16_t *amp, int len)
{
    switch (g.modem)
    {
    case M_V21: fsk_rx(m->fsk, amp, len); break;
    case M_V27TER: v27ter_rx(m->v27, amp, len); break;
    case M_V29: v29_rx(m->v29, amp, len); break;
    case M_V17: v17_rx(m->v17, amp, len); break;
    }
}

/* ---- modes ---- */

static int parse_opts(int argc, char **argv, int *i, int *have_level, float *level, int *flags)
{
    while (*i < argc && argv[*i][0] == '-')
    {
        if (strcmp(argv[*i], "-l") == 0 && *i + 1 < argc)
        {
            *have_level = 1;
            *level = strtof(argv[*i + 1], NULL);
            *i += 2;
        }
        else if (strcmp(argv[*i], "-f") == 0 && *i + 1 < argc && flags)
        {
            *flags = atoi(argv[*i + 1]);
            *i += 2;
        }
        else
            die("unknown option", argv[*i]);
    }
    return *i;
}

static void mode_tx(int argc, char **argv, int hdlc)
{
    int i = 2, have_level = 0, flags = 32;
    float level = 0;
    struct txmodem m = {0};
    parse_opts(argc, argv, &i, &have_level, &level, hdlc ? &flags : NULL);
    for (; i < argc; i++)
    {
        struct seg g = parse_seg(argv[i]);
        if (!hdlc)
        {
            struct bitq q;
            q.n = read_u32();
            q.pos = 0;
            q.bits = malloc(q.n ? q.n : 1);
            if (!q.bits) die("out of memory", NULL);
            must_read(q.bits, q.n);
            start_tx(&m, g, get_bit_q, &q, have_level, level);
            drain_tx(&m, g);
            free(q.bits);
        }
        else
        {
            struct frameq q = {0};
            q.n = read_u32();
            q.frames = calloc(q.n ? q.n : 1, sizeof(uint8_t *));
            q.lens = calloc(q.n ? q.n : 1, sizeof(uint32_t));
            for (uint32_t k = 0; k < q.n; k++)
            {
                q.lens[k] = read_u32();
                q.frames[k] = malloc(q.lens[k] ? q.lens[k] : 1);
                must_read(q.frames[k], q.lens[k]);
            }
            q.hdlc = hdlc_tx_init(NULL, 0, 1, 0, hdlc_underflow, &q);
            hdlc_tx_flags(q.hdlc, flags);
            if (q.n == 0)
                hdlc_tx_frame(q.hdlc, NULL, 0);
            start_tx(&m, g, hdlc_get_bit, q.hdlc, have_level, level);
            drain_tx(&m, g);
            hdlc_tx_free(q.hdlc);
        }
    }
}

static void mode_rx(int argc, char **argv, int hdlc)
{
    struct rxmodem m = {0};
    int i = 2;
    while (i + 1 < argc && strcmp(argv[i], "-c") == 0)
    {
        have_cutoff = 1;
        cutoff = strtof(argv[i + 1], NULL);
        i += 2;
    }
    if (hdlc)
    {
        hdlc_rx = hdlc_rx_init(NULL, 0, 1, 2, hdlc_frame, NULL);
        hdlc_rx_set_status_handler(hdlc_rx, hdlc_status, NULL);
    }
    sample_at = 0;
    for (; i < argc; i++)
    {
        struct seg g = parse_seg(argv[i]);
        uint32_t n = read_u32();
        int16_t *amp = read_samples(n);
        start_rx(&m, g, hdlc ? put_bit_hdlc : put_bit_rec);
        for (uint32_t k = 0; k < n; k++, sample_at++)
            run_rx(&m, g, amp + k, 1);
        free(amp);
    }
}

static void mode_hdlcbits(int argc, char **argv)
{
    int i = 2, have_level = 0, flags = 32;
    float level = 0;
    struct frameq q = {0};
    parse_opts(argc, argv, &i, &have_level, &level, &flags);
    q.n = read_u32();
    q.frames = calloc(q.n ? q.n : 1, sizeof(uint8_t *));
    q.lens = calloc(q.n ? q.n : 1, sizeof(uint32_t));
    for (uint32_t k = 0; k < q.n; k++)
    {
        q.lens[k] = read_u32();
        q.frames[k] = malloc(q.lens[k] ? q.lens[k] : 1);
        must_read(q.frames[k], q.lens[k]);
    }
    q.hdlc = hdlc_tx_init(NULL, 0, 1, 0, hdlc_underflow, &q);
    hdlc_tx_flags(q.hdlc, flags);
    if (q.n == 0)
        hdlc_tx_frame(q.hdlc, NULL, 0);
    for (long k = 0; k < 10000000L; k++)
    {
        int bit = hdlc_tx_get_bit(q.hdlc);
        if (bit < 0)
            return;
        put_u8(bit & 1);
    }
    die("HDLC transmitter did not stop", NULL);
}

static void mode_hdlcbitsrx(void)
{
    int c;
    hdlc_rx = hdlc_rx_init(NULL, 0, 1, 2, hdlc_frame, NULL);
    hdlc_rx_set_status_handler(hdlc_rx, hdlc_status, NULL);
    sample_at = 0;
    while ((c = getchar()) != EOF)
    {
        hdlc_rx_put_bit(hdlc_rx, c & 1);
        sample_at++;
    }
}

static void mode_g711(void)
{
    for (int x = -32768; x <= 32767; x++) put_u8(linear_to_ulaw(x));
    for (int x = -32768; x <= 32767; x++) put_u8(linear_to_alaw(x));
    for (int c = 0; c < 256; c++) { int16_t v = ulaw_to_linear((uint8_t) c); put_samples(&v, 1); }
    for (int c = 0; c < 256; c++) { int16_t v = alaw_to_linear((uint8_t) c); put_samples(&v, 1); }
}

static int tone_type(const char *a)
{
    if (strcmp(a, "cng") == 0) return MODEM_CONNECT_TONES_FAX_CNG;
    if (strcmp(a, "ced") == 0) return MODEM_CONNECT_TONES_FAX_CED;
    if (strcmp(a, "ansam") == 0) return MODEM_CONNECT_TONES_ANSAM;
    die("unknown tone", a);
    return 0;
}

static void mode_tonetx(const char *type, long n)
{
    modem_connect_tones_tx_state_t *s = modem_connect_tones_tx_init(NULL, tone_type(type));
    int16_t amp[160];
    while (n > 0)
    {
        int k = n < 160 ? (int) n : 160;
        int got = modem_connect_tones_tx(s, amp, k);
        if (got < k) memset(amp + got, 0, (size_t) (k - got) * sizeof(int16_t));
        put_samples(amp, k);
        n -= k;
    }
}

static void tone_report(void *user, int tone, int level, int delay)
{
    (void) user;
    (void) delay;
    put_u8(4);
    put_i32(tone);
    put_i32(level);
    put_i64(sample_at);
}

static void mode_tonerx(const char *type)
{
    modem_connect_tones_rx_state_t *s = modem_connect_tones_rx_init(NULL, tone_type(type), tone_report, NULL);
    uint8_t b[2];
    sample_at = 0;
    while (fread(b, 1, 2, stdin) == 2)
    {
        int16_t v = (int16_t) (b[0] | (b[1] << 8));
        modem_connect_tones_rx(s, &v, 1);
        sample_at++;
    }
}

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void mode_timetx(const char *segarg, long nbits, long reps)
{
    struct seg g = parse_seg(segarg);
    struct txmodem m = {0};
    struct bitq q;
    int16_t amp[160];
    long samples = 0;
    q.n = (uint32_t) nbits;
    q.bits = malloc(q.n ? q.n : 1);
    unsigned int seed = 1;
    for (uint32_t k = 0; k < q.n; k++) q.bits[k] = rand_r(&seed) & 1;
    double t0 = cpu_now();
    for (long r = 0; r < reps; r++)
    {
        q.pos = 0;
        samples = 0;
        start_tx(&m, g, get_bit_q, &q, 0, 0);
        for (;;)
        {
            int n = run_tx(&m, g, amp, 160);
            samples += n;
            if (n < 160) break;
        }
    }
    double t1 = cpu_now();
    printf("%.6f %ld\n", t1 - t0, samples);
}

static void mode_timerx(const char *segarg, long reps)
{
    struct seg g = parse_seg(segarg);
    struct rxmodem m = {0};
    uint32_t n = read_u32();
    int16_t *amp = read_samples(n);
    double t0 = cpu_now();
    for (long r = 0; r < reps; r++)
    {
        start_rx(&m, g, put_bit_null);
        for (uint32_t k = 0; k < n; k += 160)
            run_rx(&m, g, amp + k, (n - k) < 160 ? (int) (n - k) : 160);
    }
    double t1 = cpu_now();
    printf("%.6f %u\n", t1 - t0, n);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        die("usage: sfhelper tx|hdlctx|rx|hdlcrx|hdlcbits|hdlcbitsrx|g711|tonetx|tonerx|timetx|timerx ...", NULL);
    const char *mode = argv[1];
    if (strcmp(mode, "tx") == 0) mode_tx(argc, argv, 0);
    else if (strcmp(mode, "hdlctx") == 0) mode_tx(argc, argv, 1);
    else if (strcmp(mode, "rx") == 0) mode_rx(argc, argv, 0);
    else if (strcmp(mode, "hdlcrx") == 0) mode_rx(argc, argv, 1);
    else if (strcmp(mode, "hdlcbits") == 0) mode_hdlcbits(argc, argv);
    else if (strcmp(mode, "hdlcbitsrx") == 0 && argc == 2) mode_hdlcbitsrx();
    else if (strcmp(mode, "g711") == 0) mode_g711();
    else if (strcmp(mode, "tonetx") == 0 && argc == 4) mode_tonetx(argv[2], atol(argv[3]));
    else if (strcmp(mode, "tonerx") == 0 && argc == 3) mode_tonerx(argv[2]);
    else if (strcmp(mode, "timetx") == 0 && argc == 5) mode_timetx(argv[2], atol(argv[3]), atol(argv[4]));
    else if (strcmp(mode, "timerx") == 0 && argc == 4) mode_timerx(argv[2], atol(argv[3]));
    else die("bad mode or arguments", mode);
    if (fflush(stdout) != 0)
        die("write error", NULL);
    return 0;
}
