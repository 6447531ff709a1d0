/*
 * main.c - fiscaltab's command line.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../extract/extract.h"
#include "fiscaltab.h"

/*****************************************************************************
 * Private functions
 *****************************************************************************/

/* Prints help (status 0, stdout) or a hint (stderr) and exits. */
static void
usage(int status)
{
    if (status != 0) {
        fprintf(stderr, "Try 'fiscaltab --help' for more information.\n");
        exit(status);
    }
    printf(
        "Usage: fiscaltab convert FILE.pdf [-o DIR] [--csv] [--pages A-B]\n"
        "                 [--password PW] [--ocr auto|always|never] [-q]\n"
        "                 [--timeout SEC] [--set NAME=VALUE]...\n"
        "       fiscaltab inspect FILE.pdf --page N [--png OUT.png]\n"
        "                 [--set NAME=VALUE]...\n"
        "       fiscaltab batch PATH... -o OUT [-j N] [--shard K/N]\n"
        "                 [--timeout SEC] [--force] [--csv] [--set NAME=VALUE]...\n"
        "       fiscaltab merge OUT1 OUT2... -o ALL\n"
        "       fiscaltab settings\n"
        "       fiscaltab --help | --version\n"
        "\n"
        "Turns the tables of a budget PDF into DIR/STEM.xlsx (an index sheet,\n"
        "then one sheet per table) and DIR/STEM.log.jsonl (what was checked\n"
        "and changed).\n"
        "\n"
        "  -o, --output DIR     output directory (default: .)\n"
        "      --csv            also write DIR/STEM/NN-TITLE.csv, one a table\n"
        "      --pages A-B      only pages A to B (A, A-, -B also work)\n"
        "      --password PW    password of an encrypted PDF\n"
        "      --ocr MODE       read pages that are pictures (scans) by OCR:\n"
        "                       auto (default: pages with no text layer),\n"
        "                       always, or never\n"
        "      --set NAME=VALUE a tolerance of table finding ('fiscaltab\n"
        "                       settings' lists them with their defaults)\n"
        "      --timeout SEC    read no page after SEC seconds; the pages\n"
        "                       left are logged as not read (batch: each\n"
        "                       file's budget, 300 by default)\n"
        "  -q, --quiet          no summary on stderr\n"
        "  -h, --help           this help\n"
        "      --version        version\n"
        "\n"
        "inspect prints the tables found on page N as text grids and, with\n"
        "--png, draws the page with the rules (red), tables (blue) and\n"
        "cells (green) fiscaltab saw.\n"
        "\n"
        "batch converts every PDF under the PATHs (recursively) with N\n"
        "worker processes (default: all cores), mirroring the paths under\n"
        "OUT, and writes OUT/batch.jsonl; a rerun skips files already\n"
        "converted (same content, outputs newer than the input). It also\n"
        "builds OUT/dataset.sqlite and OUT/dataset.csv across all files.\n"
        "merge joins the outputs of batch --shard runs into one.\n"
        "\n"
        "Exit codes: 0 ok; 1 converted but validation checks failed;\n"
        "2 usage; 3 unreadable or not a PDF; 4 encrypted and no or a wrong\n"
        "password; 5 cannot write output; 6 batch: some files failed to\n"
        "convert; 99 internal error.\n");
    exit(0);
}

/* The tolerances --set changed (from the defaults); NULL when none. */
static ft_table_settings settings;
static int settings_changed;

/* Takes one --set NAME=VALUE; exits with a usage error when it is not a
 * setting. */
static void
take_setting(const char *arg)
{
    if (!settings_changed) {
        settings = *ft_settings_default();
        settings_changed = 1;
    }
    if (!ft_settings_parse(&settings, arg)) {
        fprintf(stderr, "fiscaltab: error: bad --set '%s' (NAME=NUMBER; "
                        "'fiscaltab settings' lists the names)\n",
                arg);
        usage(FT_EXIT_USAGE);
    }
}

/* The settings to pass on: NULL for the defaults. */
static const ft_table_settings *
chosen_settings(void)
{
    return settings_changed ? &settings : NULL;
}

/* The settings command: every tolerance of table finding, its default
 * and meaning. */
static int
cmd_settings(void)
{
    const ft_table_settings *d = ft_settings_default();
    size_t i;
    for (i = 0; i < ft_settings_count(); i++)
        printf("%-20s %-6g %s\n", ft_settings_name(i), ft_settings_get(d, i),
               ft_settings_doc(i));
    return 0;
}

/* Parses a positive page number; -1 when invalid. */
static int
page_number(const char *s, const char *end)
{
    long v;
    char *e;
    if (s == end)
        return 0;
    errno = 0;
    v = strtol(s, &e, 10);
    if (e != end || errno || v < 1 || v > 10000000)
        return -1;
    return (int)v;
}

/* Parses A-B, A, A-, -B into o; 0 on success. */
static int
parse_pages(const char *s, ft_convert_opts *o)
{
    const char *dash = strchr(s, '-');
    if (!*s)
        return -1;
    if (!dash) {
        o->first_page = o->last_page = page_number(s, s + strlen(s));
        return o->first_page > 0 ? 0 : -1;
    }
    o->first_page = page_number(s, dash);
    o->last_page = page_number(dash + 1, dash + 1 + strlen(dash + 1));
    if (o->first_page < 0 || o->last_page < 0)
        return -1;
    if (o->last_page && o->first_page > o->last_page)
        return -1;
    return 0;
}

/* The seconds of --timeout; a bad value is a usage error. */
static double
parse_timeout(const char *arg)
{
    char *end;
    double v = strtod(arg, &end);
    if (*end || !(v > 0)) {
        fprintf(stderr, "fiscaltab: error: bad --timeout '%s'\n", arg);
        usage(FT_EXIT_USAGE);
    }
    return v;
}

/* The convert command. */
static int
cmd_convert(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"csv", no_argument, NULL, 'c'},
        {"pages", required_argument, NULL, 'p'},
        {"password", required_argument, NULL, 'P'},
        {"quiet", no_argument, NULL, 'q'},
        {"ocr", required_argument, NULL, 'R'},
        {"set", required_argument, NULL, 'S'},
        {"timeout", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    ft_convert_opts o;
    ft_convert_stats stats;
    int ch;

    memset(&o, 0, sizeof o);
    o.outdir = ".";
    optind = 1;
    while ((ch = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
        switch (ch) {
        case 'o':
            o.outdir = optarg;
            break;
        case 'c':
            o.csv = 1;
            break;
        case 'p':
            if (parse_pages(optarg, &o) != 0) {
                fprintf(stderr, "fiscaltab: error: bad --pages '%s'\n",
                        optarg);
                usage(FT_EXIT_USAGE);
            }
            break;
        case 'P':
            o.password = optarg;
            break;
        case 'q':
            o.quiet = 1;
            break;
        case 'R':
            if (!strcmp(optarg, "auto"))
                o.ocr = 0;
            else if (!strcmp(optarg, "always"))
                o.ocr = 1;
            else if (!strcmp(optarg, "never"))
                o.ocr = 2;
            else {
                fprintf(stderr, "fiscaltab: error: bad --ocr '%s' (auto, "
                                "always or never)\n",
                        optarg);
                usage(FT_EXIT_USAGE);
            }
            break;
        case 'S':
            take_setting(optarg);
            break;
        case 't':
            o.timeout = parse_timeout(optarg);
            break;
        case 'h':
            usage(0);
            break;
        default:
            usage(FT_EXIT_USAGE);
        }
    }
    o.settings = chosen_settings();
    if (optind != argc - 1) {
        fprintf(stderr, "fiscaltab: error: convert takes exactly one FILE\n");
        usage(FT_EXIT_USAGE);
    }
    if (!*o.outdir) {
        fprintf(stderr, "fiscaltab: error: empty output directory\n");
        usage(FT_EXIT_USAGE);
    }
    o.input = argv[optind];
    return ft_convert(&o, &stats);
}

/* The inspect command. */
static int
cmd_inspect(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"page", required_argument, NULL, 'p'},
        {"png", required_argument, NULL, 'g'},
        {"password", required_argument, NULL, 'P'},
        {"set", required_argument, NULL, 'S'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *png = NULL, *password = NULL;
    int ch, page = 0;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'p':
            page = page_number(optarg, optarg + strlen(optarg));
            if (page <= 0) {
                fprintf(stderr, "fiscaltab: error: bad --page '%s'\n",
                        optarg);
                usage(FT_EXIT_USAGE);
            }
            break;
        case 'g':
            png = optarg;
            break;
        case 'P':
            password = optarg;
            break;
        case 'S':
            take_setting(optarg);
            break;
        case 'h':
            usage(0);
            break;
        default:
            usage(FT_EXIT_USAGE);
        }
    }
    if (optind != argc - 1 || page <= 0) {
        fprintf(stderr, "fiscaltab: error: inspect takes one FILE and "
                        "--page N\n");
        usage(FT_EXIT_USAGE);
    }
    return ft_inspect(argv[optind], page, png, password, chosen_settings());
}

/* The batch command. */
static int
cmd_batch(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"jobs", required_argument, NULL, 'j'},
        {"shard", required_argument, NULL, 's'},
        {"timeout", required_argument, NULL, 't'},
        {"force", no_argument, NULL, 'f'},
        {"csv", no_argument, NULL, 'c'},
        {"set", required_argument, NULL, 'S'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    ft_batch_opts o;
    int ch;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    memset(&o, 0, sizeof o);
    o.jobs = cores > 0 ? (int)cores : 1;
    o.timeout = 300;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "o:j:h", longopts, NULL)) != -1) {
        char *end;
        switch (ch) {
        case 'o':
            o.outdir = optarg;
            break;
        case 'j':
            o.jobs = (int)strtol(optarg, &end, 10);
            if (*end || o.jobs < 1 || o.jobs > 1024) {
                fprintf(stderr, "fiscaltab: error: bad -j '%s'\n", optarg);
                usage(FT_EXIT_USAGE);
            }
            break;
        case 's':
            if (sscanf(optarg, "%d/%d", &o.shard_k, &o.shard_n) != 2 ||
                o.shard_n < 1 || o.shard_k < 1 || o.shard_k > o.shard_n) {
                fprintf(stderr, "fiscaltab: error: bad --shard '%s' "
                                "(K/N, 1 <= K <= N)\n",
                        optarg);
                usage(FT_EXIT_USAGE);
            }
            break;
        case 't':
            o.timeout = parse_timeout(optarg);
            break;
        case 'f':
            o.force = 1;
            break;
        case 'c':
            o.csv = 1;
            break;
        case 'S':
            take_setting(optarg);
            break;
        case 'h':
            usage(0);
            break;
        default:
            usage(FT_EXIT_USAGE);
        }
    }
    o.settings = chosen_settings();
    if (!o.outdir || optind >= argc) {
        fprintf(stderr, "fiscaltab: error: batch needs PATH... and -o OUT\n");
        usage(FT_EXIT_USAGE);
    }
    return ft_batch(argv + optind, argc - optind, &o);
}

/*****************************************************************************
 * Public functions
 *****************************************************************************/

int
main(int argc, char **argv)
{
    int rc;
    if (argc < 2)
        usage(FT_EXIT_USAGE);
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
        usage(0);
    if (!strcmp(argv[1], "--version")) {
        printf("fiscaltab %s\nocr: %s\n", FT_VERSION, ft_ocr_version());
        return 0;
    }
    if (!strcmp(argv[1], "convert"))
        rc = cmd_convert(argc - 1, argv + 1);
    else if (!strcmp(argv[1], "inspect"))
        rc = cmd_inspect(argc - 1, argv + 1);
    else if (!strcmp(argv[1], "batch"))
        rc = cmd_batch(argc - 1, argv + 1);
    else if (!strcmp(argv[1], "settings"))
        rc = cmd_settings();
    else if (!strcmp(argv[1], "merge")) {
        const char *out = NULL;
        char *dirs[256];
        int i, n = 0;
        for (i = 2; i < argc; i++) {
            if (!strcmp(argv[i], "-o") && i + 1 < argc)
                out = argv[++i];
            else if (n < 256)
                dirs[n++] = argv[i];
        }
        if (!out || n == 0) {
            fprintf(stderr, "fiscaltab: error: merge needs OUT... and -o ALL\n");
            usage(FT_EXIT_USAGE);
        }
        rc = ft_merge(dirs, n, out);
    }
    else {
        fprintf(stderr, "fiscaltab: error: unknown command '%s'\n", argv[1]);
        usage(FT_EXIT_USAGE);
        rc = FT_EXIT_USAGE;
    }
    if (fflush(stdout) != 0 || ferror(stdout))
        rc = rc ? rc : FT_EXIT_WRITE;
    return rc;
}
