/*
 * batch.c - `fiscaltab batch PATH... -o OUT`: every PDF under the paths,
 * converted by N worker processes, mirrored under OUT.
 *
 * One process per file: a file that crashes poppler, hangs past
 * --timeout or runs out of memory is recorded as failed with its reason
 * and the others still convert. OUT/batch.jsonl has one line per file
 * (path, sha256, pages, tables, checks, seconds, status, error); a rerun
 * skips files whose outputs are complete, newer than the input and whose
 * content hash is unchanged. --shard K/N takes a deterministic share of
 * the files (by path hash), so N machines can split an archive.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <utf8proc.h>

#include "../write/write.h"
#include "fiscaltab.h"

/*****************************************************************************
 * Private functions
 *****************************************************************************/

typedef struct job {
    char *path;     /* as found: ROOT/rel */
    char *rel;      /* relative to its root, used under OUT; made
                     * unique when two inputs would share outputs */
    char *stem;     /* its outputs' name (ft_output_stem, made unique) */
    char sha[65];
    int status;     /* 0 todo, 1 done, 2 skipped */
    int rc;
    int pages, tables;
    long passed, failed;
    int checked;            /* tables some check reached */
    double seconds;
    char error[300];
    long long size;     /* bytes: the largest files start first */
    pid_t pid;
    int fd;         /* read end of the worker's pipe */
    double started;
    char *buf;      /* what the worker wrote */
    size_t len, cap;
    int timed_out;
} job;

typedef struct joblist {
    job *v;
    size_t n, cap;
} joblist;

static volatile sig_atomic_t interrupted;

/* SIGINT/SIGTERM: stop starting work; running workers are killed. */
static void
on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}


/* 1 when name ends in .pdf in any case. */
static int
is_pdf(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && name[n - 4] == '.' &&
           (name[n - 3] | 32) == 'p' && (name[n - 2] | 32) == 'd' &&
           (name[n - 1] | 32) == 'f';
}

/* Appends a job; returns -1 on OOM. */
static int
add_job(joblist *l, const char *path, const char *rel)
{
    job *j;
    if (l->n == l->cap) {
        size_t c = l->cap ? l->cap * 2 : 64;
        job *v = realloc(l->v, c * sizeof *v);
        if (!v)
            return -1;
        l->v = v;
        l->cap = c;
    }
    j = &l->v[l->n];
    memset(j, 0, sizeof *j);
    j->path = strdup(path);
    j->rel = strdup(rel);
    j->fd = -1;
    if (!j->path || !j->rel)
        return -1;
    {
        struct stat st;
        j->size = stat(path, &st) == 0 ? (long long)st.st_size : 0;
    }
    l->n++;
    return 0;
}

/* Walks dir (ROOT/rel) for PDFs; symbolic links are not followed. */
static int
walk(joblist *l, const char *root, const char *rel, int depth)
{
    char dir[4096];
    DIR *d;
    struct dirent *de;
    int rc = 0;
    if (depth > 64)
        return 0;
    snprintf(dir, sizeof dir, "%s%s%s", root, *rel ? "/" : "", rel);
    d = opendir(dir);
    if (!d)
        return 0;
    while ((de = readdir(d)) != NULL && rc == 0) {
        char path[4400], sub[4400];
        struct stat st;
        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "",
                 de->d_name);
        if (lstat(path, &st) != 0 || S_ISLNK(st.st_mode))
            continue;
        if (S_ISDIR(st.st_mode))
            rc = walk(l, root, sub, depth + 1);
        else if (S_ISREG(st.st_mode) && is_pdf(de->d_name))
            rc = add_job(l, path, sub);
    }
    closedir(d);
    return rc;
}

/* qsort comparator: jobs by relative path. */
static int
cmp_job(const void *a, const void *b)
{
    int c = strcmp(((const job *)a)->rel, ((const job *)b)->rel);
    return c ? c : strcmp(((const job *)a)->path, ((const job *)b)->path);
}

static const job *key_jobs;

/* qsort comparator: job indices by output folder and name, ignoring
 * case (x.pdf and x.PDF write the same x.xlsx), then as sorted. */
static int
cmp_outputs(const void *a, const void *b)
{
    const job *x = &key_jobs[*(const size_t *)a];
    const job *y = &key_jobs[*(const size_t *)b];
    const char *sx = strrchr(x->rel, '/'), *sy = strrchr(y->rel, '/');
    size_t dx = sx ? (size_t)(sx - x->rel) : 0;
    size_t dy = sy ? (size_t)(sy - y->rel) : 0;
    int c = dx != dy ? (dx < dy ? -1 : 1) : strncmp(x->rel, y->rel, dx);
    if (!c)
        c = strcasecmp(x->stem, y->stem);
    if (!c)
        c = *(const size_t *)a < *(const size_t *)b ? -1 : 1;
    return c;
}

/* Gives each job the name of its outputs; two inputs that would write
 * the same OUT/DIR/STEM.xlsx (report.pdf under two roots, a/x.pdf and
 * b/x.pdf named on the command line, x.pdf beside x.PDF) are told
 * apart: the later gets STEM~2 (~3, ...) for its outputs and its name
 * in batch.jsonl and the dataset, and a warning says so. 0 on success,
 * -1 when out of memory. */
static int
name_outputs(joblist *l)
{
    size_t i, *ix = malloc((l->n + 1) * sizeof *ix), run = 1;
    unsigned char *same = calloc(l->n + 1, 1);
    if (!ix || !same) {
        free(ix);
        free(same);
        return -1;
    }
    for (i = 0; i < l->n; i++) {
        l->v[i].stem = ft_output_stem(l->v[i].rel);
        if (!l->v[i].stem) {
            free(ix);
            free(same);
            return -1;
        }
        ix[i] = i;
    }
    key_jobs = l->v;
    qsort(ix, l->n, sizeof *ix, cmp_outputs);
    /* which neighbours share outputs, before any is renamed */
    for (i = 1; i < l->n; i++) {
        size_t pair[2] = {ix[i - 1], ix[i]};
        /* cmp_outputs breaks ties by index: equal keys compare by it */
        const job *x = &l->v[pair[0]], *y = &l->v[pair[1]];
        const char *sx = strrchr(x->rel, '/'), *sy = strrchr(y->rel, '/');
        size_t dx = sx ? (size_t)(sx - x->rel) : 0;
        size_t dy = sy ? (size_t)(sy - y->rel) : 0;
        same[i] = dx == dy && !strncmp(x->rel, y->rel, dx) &&
                  !strcasecmp(x->stem, y->stem);
    }
    for (i = 1; i < l->n; i++) {
        job *first, *j = &l->v[ix[i]];
        const char *sj = strrchr(j->rel, '/');
        size_t dj = sj ? (size_t)(sj - j->rel) : 0, len;
        char *stem, *rel;
        if (!same[i]) {
            run = 1;
            continue;
        }
        first = &l->v[ix[i - run]];
        run++;
        len = strlen(j->stem) + 24;
        stem = malloc(len);
        rel = malloc(dj + len + 8);
        if (!stem || !rel) {
            free(stem);
            free(rel);
            free(ix);
            free(same);
            return -1;
        }
        snprintf(stem, len, "%s~%zu", j->stem, run);
        snprintf(rel, dj + len + 8, "%.*s%s%s.pdf", (int)dj, j->rel,
                 dj ? "/" : "", stem);
        fprintf(stderr,
                "fiscaltab: warning: %s and %s would write the same "
                "outputs: the second is written as %s\n",
                first->path, j->path, rel);
        free(j->stem);
        free(j->rel);
        j->stem = stem;
        j->rel = rel;
    }
    free(ix);
    free(same);
    return 0;
}

static const job *order_jobs;

/* qsort comparator: job indices by size, largest first. */
static int
cmp_size(const void *a, const void *b)
{
    long long x = order_jobs[*(const size_t *)a].size;
    long long y = order_jobs[*(const size_t *)b].size;
    return (x < y) - (x > y);
}

/* FNV-1a hash of a string, for sharding. */
static uint64_t
fnv(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

/* Output paths of a job: OUT/reldir and the stem. */
static void
out_paths(const char *out, const job *j, char *dir, size_t dsz, char *xlsx,
          char *log, size_t psz)
{
    const char *slash = strrchr(j->rel, '/');
    if (slash)
        snprintf(dir, dsz, "%s/%.*s", out, (int)(slash - j->rel), j->rel);
    else
        snprintf(dir, dsz, "%s", out);
    snprintf(xlsx, psz, "%s/%s.xlsx", dir, j->stem);
    snprintf(log, psz, "%s/%s.log.jsonl", dir, j->stem);
}


/* Reads "key":"value" or "key":number from a JSON line into buf. */
/* Reads the JSON string at p (its opening quote) into buf (size bytes,
 * NULL to skip it), undoing the escapes put_json writes (\\" \\\\ \\n \\t
 * \\uXXXX). Returns the character after its closing quote, or NULL when
 * it is malformed or does not fit. */
static const char *
json_string(const char *p, char *buf, size_t size)
{
    size_t n = 0;
    for (p++; *p && *p != '"'; p++) {
        char c = *p;
        char u[8];
        size_t ul = 1;
        if (c == '\\') {
            p++;
            if (*p == 'n')
                c = '\n';
            else if (*p == 't')
                c = '\t';
            else if (*p == 'u') {
                unsigned v = 0;
                int k;
                for (k = 1; k <= 4; k++) {
                    char h = p[k];
                    if (!((h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') ||
                          (h >= 'A' && h <= 'F')))
                        return NULL;
                    v = v * 16 + (unsigned)(h <= '9' ? h - '0'
                                                     : (h | 0x20) - 'a' + 10);
                }
                p += 4;
                ul = (size_t)utf8proc_encode_char((utf8proc_int32_t)v,
                                                  (utf8proc_uint8_t *)u);
                if (buf && n + ul < size)
                    memcpy(buf + n, u, ul);
                n += ul;
                continue;
            } else if (*p)
                c = *p;
            else
                return NULL;
        }
        if (buf && n + 1 < size)
            buf[n] = c;
        n++;
    }
    if (*p != '"' || (buf && n >= size))
        return NULL;
    if (buf)
        buf[n] = 0;
    return p + 1;
}

static int
json_field(const char *line, const char *key, char *buf, size_t size)
{
    const char *p = strchr(line, '{');
    char name[64];
    if (!p)
        return 0;
    p++;
    for (;;) {
        size_t n;
        int want;
        while (*p == ' ')
            p++;
        if (*p != '"')
            return 0;
        p = json_string(p, name, sizeof name);
        if (!p || *p != ':')
            return 0;
        p++;
        want = !strcmp(name, key);
        if (*p == '"') {
            p = json_string(p, want ? buf : NULL, want ? size : 0);
            if (!p)
                return 0;
            if (want)
                return 1;
        } else {
            n = strcspn(p, ",}");
            if (want) {
                if (n >= size)
                    return 0;
                memcpy(buf, p, n);
                buf[n] = 0;
                return 1;
            }
            p += n;
        }
        if (*p != ',')
            return 0;
        p++;
    }
}

/* Reads a batch.jsonl record's figures into j. */
static void
read_figures(job *j, const char *line)
{
    char num[64];
    if (json_field(line, "pages", num, sizeof num))
        j->pages = atoi(num);
    if (json_field(line, "tables", num, sizeof num))
        j->tables = atoi(num);
    if (json_field(line, "tables_checked", num, sizeof num))
        j->checked = (int)strtol(num, NULL, 10);
    if (json_field(line, "checks_passed", num, sizeof num))
        j->passed = atol(num);
    if (json_field(line, "checks_failed", num, sizeof num))
        j->failed = atol(num);
    if (json_field(line, "seconds", num, sizeof num))
        j->seconds = atof(num);
}

static void resume_from(joblist *l, const char *out, const char *file,
                        int csv);

/* Marks jobs done in an earlier run (same hash, outputs complete and
 * newer than the input, and CSVs when csv asks for them) as skipped,
 * keeping their figures: those batch.jsonl records, and those a killed
 * run recorded as it went (.fiscaltab/done.jsonl). */
static void
resume(joblist *l, const char *out, int csv)
{
    static const char *const files[] = {"batch.jsonl",
                                        ".fiscaltab/done.jsonl"};
    size_t f;
    for (f = 0; f < 2; f++)
        resume_from(l, out, files[f], csv);
}

/* resume's reading of one record file. */
static void
resume_from(joblist *l, const char *out, const char *file, int csv)
{
    char path[4096], line[8192];
    FILE *fp;
    size_t i;
    snprintf(path, sizeof path, "%s/%s", out, file);
    fp = fopen(path, "r");
    if (!fp)
        return;
    while (fgets(line, sizeof line, fp)) {
        char rel[4096], sha[80], status[32];
        if (!json_field(line, "path", rel, sizeof rel) ||
            !json_field(line, "sha256", sha, sizeof sha) ||
            !json_field(line, "status", status, sizeof status))
            continue;
        if (strcmp(status, "ok") && strcmp(status, "checks_failed"))
            continue;
        for (i = 0; i < l->n; i++) {
            job *j = &l->v[i];
            char dir[4096], xlsx[4352], log[4352];
            struct stat si, sx, sl;
            if (strcmp(j->rel, rel) || j->status)
                continue;
            out_paths(out, j, dir, sizeof dir, xlsx, log, sizeof xlsx);
            if (stat(j->path, &si) || stat(xlsx, &sx) || stat(log, &sl) ||
                sx.st_mtime < si.st_mtime || sl.st_mtime < si.st_mtime)
                break;
            if (csv) {
                /* asked for CSVs now: a run without them is redone */
                char cdir[4500];
                struct stat sc;
                snprintf(cdir, sizeof cdir, "%s/%s", dir, j->stem);
                if (stat(cdir, &sc) != 0 || !S_ISDIR(sc.st_mode))
                    break;
            }
            if (ft_sha256_file(j->path, j->sha) || strcmp(j->sha, sha))
                break;
            j->status = 2;
            j->rc = strcmp(status, "ok") ? FT_EXIT_CHECKS : FT_EXIT_OK;
            read_figures(j, line);
            break;
        }
    }
    fclose(fp);
}

/* Takes the lock of a batch's output folder (its .fiscaltab/lock):
 * the descriptor, held until the process ends, or -1 when another
 * batch holds it. */
static int
take_lock(const char *hidden)
{
    char path[4300];
    int fd;
    snprintf(path, sizeof path, "%s/lock", hidden);
    fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0)
        return -2; /* cannot tell: go on as before */
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        close(fd);
        return errno == EWOULDBLOCK ? -1 : -2;
    }
    return fd;
}

/* 1 when s is sfx followed by a process number and nothing else. */
static int
tmp_suffix(const char *s, const char *sfx)
{
    size_t n = strlen(sfx);
    if (strncmp(s, sfx, n) != 0 || !s[n])
        return 0;
    for (s += n; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

/* 1 when a file name is a temporary's: NAME.tmpPID. report.tmp.xlsx,
 * report.tmp.pdf's output, is not. */
static int
is_temporary(const char *name)
{
    const char *t = strstr(name, ".tmp");
    while (t && !tmp_suffix(t, ".tmp"))
        t = strstr(t + 1, ".tmp");
    return t != NULL;
}

/* Frees the jobs of l and their names. */
static void
free_jobs(joblist *l)
{
    size_t i;
    for (i = 0; i < l->n; i++) {
        free(l->v[i].path);
        free(l->v[i].rel);
        free(l->v[i].stem);
        free(l->v[i].buf);
    }
    free(l->v);
    memset(l, 0, sizeof *l);
}


/* Removes temporaries that a killed earlier run left for this file's
 * outputs (STEM.xlsx.tmpPID, STEM.log.jsonl.tmpPID, STEM.tmpPID/). */
static void
remove_stale(const char *dir, const char *xlsx)
{
    const char *base = strrchr(xlsx, '/');
    size_t stem_len;
    DIR *d = opendir(dir);
    struct dirent *de;
    base = base ? base + 1 : xlsx;
    stem_len = strlen(base) - 5;
    if (!d)
        return;
    while ((de = readdir(d)) != NULL) {
        const char *rest = de->d_name + stem_len;
        char f[4800];
        if (strncmp(de->d_name, base, stem_len) != 0)
            continue;
        /* exactly STEM.xlsx.tmpPID, STEM.log.jsonl.tmpPID, STEM.tmpPID:
         * not report.tmp.xlsx, which is report.tmp.pdf's output */
        if (!tmp_suffix(rest, ".xlsx.tmp") &&
            !tmp_suffix(rest, ".log.jsonl.tmp") && !tmp_suffix(rest, ".tmp"))
            continue;
        snprintf(f, sizeof f, "%s/%s", dir, de->d_name);
        if (remove(f) != 0)
            ft_remove_tree(f); /* a CSV directory: its files first */
    }
    closedir(d);
}

/* Removes DIR/NAME.tmpPID files that a killed earlier batch left (the
 * report, the dataset CSV, dataset fragments): any temporary whose
 * process is gone. */
static void
remove_dead_temporaries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    if (!d)
        return;
    while ((de = readdir(d)) != NULL) {
        const char *t = strstr(de->d_name, ".tmp"), *p;
        long pid;
        char f[4800];
        if (!t || !t[4])
            continue;
        for (p = t + 4; *p >= '0' && *p <= '9'; p++)
            ;
        if (*p)
            continue;
        pid = strtol(t + 4, NULL, 10);
        if (pid <= 0 || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue; /* alive, or cannot tell: leave it */
        snprintf(f, sizeof f, "%s/%s", dir, de->d_name);
        remove(f);
    }
    closedir(d);
}

/* Starts a worker process for job j. */
static int
start(job *j, const char *out, int csv, const ft_table_settings *settings,
      double timeout)
{
    int fds[2];
    pid_t pid;
    char dir[4096], xlsx[4352], log[4352], bad[4096];
    int linked;
    if (pipe(fds) != 0)
        return -1;
    if (!j->sha[0] && ft_sha256_file(j->path, j->sha) != 0)
        snprintf(j->sha, sizeof j->sha, "unreadable");
    out_paths(out, j, dir, sizeof dir, xlsx, log, sizeof xlsx);
    /* a link where this file's folder goes is not followed: not even
     * to clear stale temporaries */
    linked = ft_link_below(out, dir, bad, sizeof bad);
    if (!linked)
        remove_stale(dir, xlsx);
    fflush(NULL);
    pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        ft_convert_opts o;
        ft_convert_stats s;
        char frag[4200];
        int rc;
        struct rlimit rl;
        close(fds[0]);
        dup2(fds[1], 2);
        /* a worker does not outlive its batch */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() == 1)
            _exit(FT_EXIT_INTERNAL);
        /* bounded memory: 4 GiB of address space per worker (not under
         * AddressSanitizer, whose shadow memory needs far more) */
        rl.rlim_cur = rl.rlim_max = (rlim_t)4 << 30;
#ifndef __SANITIZE_ADDRESS__
        setrlimit(RLIMIT_AS, &rl);
#else
        (void)rl;
#endif
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        if (linked) {
            fprintf(stderr,
                    "fiscaltab: error: %s: %s is a symbolic link: not "
                    "followed\n",
                    j->path, bad);
            _exit(FT_EXIT_WRITE);
        }
        memset(&o, 0, sizeof o);
        o.input = j->path;
        o.display = j->rel;
        o.outdir = dir;
        o.stem = j->stem;
        /* a file's pages stop in time to write what was read before the
         * batch kills the worker at --timeout */
        o.timeout = timeout * 0.8;
        o.csv = csv;
        o.settings = settings;
        o.quiet = 1;
        snprintf(frag, sizeof frag, "%s/.fiscaltab/%s.tsv", out, j->sha);
        o.fragment = frag;
        rc = ft_convert(&o, &s);
        fprintf(stderr, "\nFTSTAT %d %d %zu %zu %zu %.3f %zu\n", rc, s.pages,
                s.tables, s.passed, s.failed, s.seconds, s.checked);
        fflush(stderr);
        _exit(rc);
    }
    close(fds[1]);
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    j->pid = pid;
    j->fd = fds[0];
    j->started = ft_now();
    return 0;
}

/* Reads what a worker has written so far. */
static void
drain(job *j)
{
    char buf[4096];
    ssize_t n;
    while (j->fd >= 0 && (n = read(j->fd, buf, sizeof buf)) > 0) {
        if (j->len + (size_t)n + 1 > j->cap) {
            size_t c = (j->cap ? j->cap * 2 : 8192) + (size_t)n;
            char *v = realloc(j->buf, c);
            if (!v)
                return;
            j->buf = v;
            j->cap = c;
        }
        memcpy(j->buf + j->len, buf, (size_t)n);
        j->len += (size_t)n;
        j->buf[j->len] = 0;
    }
}

/* Records how a worker ended. */
static void
finish(job *j, int wstatus)
{
    const char *st;
    drain(j);
    close(j->fd);
    j->fd = -1;
    j->status = 1;
    j->seconds = ft_now() - j->started;
    st = j->buf ? strstr(j->buf, "FTSTAT ") : NULL;
    if (st) {
        size_t t = 0, pa = 0, fa = 0, ch = 0;
        double sec = 0;
        sscanf(st, "FTSTAT %d %d %zu %zu %zu %lf %zu", &j->rc, &j->pages, &t,
               &pa, &fa, &sec, &ch);
        j->tables = (int)t;
        j->checked = (int)ch;
        j->passed = (long)pa;
        j->failed = (long)fa;
    } else if (j->timed_out) {
        j->rc = -1;
        snprintf(j->error, sizeof j->error, "timed out");
    } else if (WIFSIGNALED(wstatus)) {
        j->rc = -1;
        snprintf(j->error, sizeof j->error, "worker killed by signal %d%s",
                 WTERMSIG(wstatus),
                 WTERMSIG(wstatus) == SIGKILL ? " (out of memory?)" : "");
    } else {
        j->rc = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
    }
    if (j->rc != FT_EXIT_OK && j->rc != FT_EXIT_CHECKS && !j->error[0] &&
        j->buf) {
        /* the worker's one-line error, without the program name */
        const char *e = strstr(j->buf, "fiscaltab: error: ");
        if (e) {
            size_t n, pl = strlen(j->path);
            e += 18;
            if (!strncmp(e, j->path, pl) && !strncmp(e + pl, ": ", 2))
                e += pl + 2; /* the file is named by the record already */
            n = strcspn(e, "\n");
            snprintf(j->error, sizeof j->error, "%.*s", (int)n, e);
        }
    }
    free(j->buf);
    j->buf = NULL;
    j->len = j->cap = 0;
}

/* Removes what a killed worker left under temporary names. */
static void
cleanup_tmp(const job *j, const char *out)
{
    char dir[4096], xlsx[4352], log[4352];
    out_paths(out, j, dir, sizeof dir, xlsx, log, sizeof xlsx);
    remove_stale(dir, xlsx);
}

/* qsort comparator: job indices by content hash, then as sorted. */
static int
cmp_sha(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    int c = strcmp(key_jobs[x].sha, key_jobs[y].sha);
    return c ? c : (x < y ? -1 : 1);
}

/* first[i]: the job before i (in sorted order) with the same content,
 * or i itself. NULL when out of memory. */
static size_t *
same_content(const joblist *l)
{
    size_t i, *ix = malloc((l->n + 1) * sizeof *ix);
    size_t *first = malloc((l->n + 1) * sizeof *first);
    if (!ix || !first) {
        free(ix);
        free(first);
        return NULL;
    }
    for (i = 0; i < l->n; i++)
        ix[i] = first[i] = i;
    key_jobs = l->v;
    qsort(ix, l->n, sizeof *ix, cmp_sha);
    for (i = 1; i < l->n; i++) {
        const job *a = &l->v[ix[i - 1]], *b = &l->v[ix[i]];
        if (a->sha[0] && strcmp(a->sha, "unreadable") &&
            !strcmp(a->sha, b->sha))
            first[ix[i]] = first[ix[i - 1]];
    }
    free(ix);
    return first;
}

/* Writes job j's line of batch.jsonl; dup names the file it has the
 * same content as, or is NULL. */
static void
put_record(FILE *fp, const job *j, const char *dup)
{
    const char *status = j->rc == FT_EXIT_OK       ? "ok"
                         : j->rc == FT_EXIT_CHECKS ? "checks_failed"
                                                   : "failed";
    fputs("{\"path\":", fp);
    ft_put_json(fp, j->rel);
    fprintf(fp,
            ",\"sha256\":\"%s\",\"pages\":%d,\"tables\":%d,"
            "\"tables_checked\":%d,"
            "\"checks_passed\":%ld,\"checks_failed\":%ld,"
            "\"seconds\":%.3f,\"status\":\"%s\",\"exit\":%d,\"error\":",
            j->sha, j->pages, j->tables, j->checked, j->passed, j->failed,
            j->seconds, status, j->rc);
    if (j->error[0])
        ft_put_json(fp, j->error);
    else
        fputs("null", fp);
    fputs(",\"source\":", fp);
    ft_put_json(fp, j->path);
    if (dup) {
        /* the same content under another name */
        fputs(",\"duplicate_of\":", fp);
        ft_put_json(fp, dup);
    }
    fputs(j->status == 2 ? ",\"resumed\":true}\n" : "}\n", fp);
}

/* Appends finished job j's record to OUT/.fiscaltab/done.jsonl at once,
 * so that a batch killed before it writes batch.jsonl (kill -9, a power
 * cut) still resumes what it finished. */
static void
record_done(const char *out, const job *j)
{
    char path[4200];
    int fd;
    FILE *fp;
    snprintf(path, sizeof path, "%s/.fiscaltab/done.jsonl", out);
    fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC,
              0666);
    if (fd < 0)
        return;
    fp = fdopen(fd, "a");
    if (!fp) {
        close(fd);
        return;
    }
    put_record(fp, j, NULL);
    fclose(fp);
}

/* Writes OUT/batch.jsonl atomically. */
static int
write_report(const joblist *l, const char *out)
{
    char path[4096], tmp[4200];
    FILE *fp;
    size_t i, *first = same_content(l);
    if (!first)
        return -1;
    snprintf(path, sizeof path, "%s/batch.jsonl", out);
    snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid());
    fp = ft_create_new(tmp);
    if (!fp) {
        free(first);
        return -1;
    }
    for (i = 0; i < l->n; i++)
        if (l->v[i].status)
            put_record(fp, &l->v[i],
                       first[i] != i ? l->v[first[i]].rel : NULL);
    free(first);
    if (fclose(fp) != 0 || rename(tmp, path) != 0) {
        remove(tmp);
        return -1;
    }
    /* batch.jsonl holds them all now */
    snprintf(path, sizeof path, "%s/.fiscaltab/done.jsonl", out);
    unlink(path);
    return 0;
}

/* Adds every converted document to OUT/dataset.sqlite (one transaction
 * each; those already there with the same hash are kept) and exports
 * OUT/dataset.csv. Returns 0 on success. */
static int
build_dataset(const joblist *l, const char *out)
{
    char db[4200], csv[4200];
    ft_error err = {FT_OK, ""};
    size_t i;
    snprintf(db, sizeof db, "%s/dataset.sqlite", out);
    snprintf(csv, sizeof csv, "%s/dataset.csv", out);
    for (i = 0; i < l->n; i++) {
        const job *j = &l->v[i];
        char frag[4300], dir[4096], xlsx[4352], log[4352];
        if (!j->status || (j->rc != FT_EXIT_OK && j->rc != FT_EXIT_CHECKS))
            continue;
        if (ft_dataset_has(db, j->rel, j->sha))
            continue;
        snprintf(frag, sizeof frag, "%s/.fiscaltab/%s.tsv", out, j->sha);
        out_paths(out, j, dir, sizeof dir, xlsx, log, sizeof xlsx);
        if (ft_dataset_add(db, j->rel, j->sha, frag, log, &err) != FT_OK) {
            fprintf(stderr, "fiscaltab: error: dataset: %s: %s\n", j->rel,
                    err.msg);
            return -1;
        }
    }
    if (access(db, F_OK) != 0 && errno == ENOENT)
        return 0; /* nothing converted (an empty shard): no dataset */
    if (ft_dataset_csv(db, csv, &err) != FT_OK) {
        fprintf(stderr, "fiscaltab: error: %s\n", err.msg);
        return -1;
    }
    return 0;
}

/*****************************************************************************
 * Public functions
 *****************************************************************************/

int
ft_batch(char **paths, int n_paths, const ft_batch_opts *o)
{
    joblist l = {0};
    size_t i, next = 0, done = 0, failed = 0, checks = 0, todo = 0;
    size_t unchecked = 0;
    job **running;
    size_t *order;
    int k, n_run = 0, tty = isatty(2), rc;
    double t0 = ft_now(), last_print = 0;
    long pages = 0;
    struct sigaction sa;
    int lock_fd = -2;

    for (k = 0; k < n_paths; k++) {
        struct stat st;
        if (stat(paths[k], &st) != 0) {
            fprintf(stderr, "fiscaltab: error: %s: %s\n", paths[k],
                    strerror(errno));
            return FT_EXIT_USAGE;
        }
        if (S_ISDIR(st.st_mode)) {
            if (walk(&l, paths[k], "", 0) != 0)
                return FT_EXIT_INTERNAL;
        } else if (!S_ISREG(st.st_mode)) {
            /* a FIFO or a device: hashing it would never end */
            fprintf(stderr,
                    "fiscaltab: error: %s: not a regular file (a pipe or a "
                    "device): left out\n",
                    paths[k]);
        } else {
            const char *b = strrchr(paths[k], '/');
            if (add_job(&l, paths[k], b ? b + 1 : paths[k]) != 0)
                return FT_EXIT_INTERNAL;
        }
    }
    if (l.n == 0) {
        fprintf(stderr, "fiscaltab: error: no PDF found in");
        for (k = 0; k < n_paths; k++)
            fprintf(stderr, " %s", paths[k]);
        fputc('\n', stderr);
        free(l.v);
        return FT_EXIT_USAGE;
    }
    qsort(l.v, l.n, sizeof *l.v, cmp_job);
    if (o->shard_n > 1) {
        size_t w = 0;
        for (i = 0; i < l.n; i++) {
            if (fnv(l.v[i].rel) % (uint64_t)o->shard_n ==
                (uint64_t)(o->shard_k - 1))
                l.v[w++] = l.v[i];
            else {
                free(l.v[i].path);
                free(l.v[i].rel);
                free(l.v[i].stem);
            }
        }
        l.n = w;
    }
    if (name_outputs(&l) != 0) {
        free_jobs(&l);
        return FT_EXIT_INTERNAL;
    }
    if (mkdir(o->outdir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "fiscaltab: error: cannot create %s: %s\n",
                o->outdir, strerror(errno));
        return FT_EXIT_WRITE;
    }
    {
        char hidden[4200];
        snprintf(hidden, sizeof hidden, "%s/.fiscaltab", o->outdir);
        if (ft_is_symlink(hidden)) {
            fprintf(stderr,
                    "fiscaltab: error: %s is a symbolic link: not "
                    "followed\n",
                    hidden);
            free_jobs(&l);
            return FT_EXIT_WRITE;
        }
        mkdir(hidden, 0777);
        /* one batch at a time on a folder: another's temporaries are
         * not dead ones, and its outputs are not to be resumed */
        lock_fd = take_lock(hidden);
        if (lock_fd == -1) {
            fprintf(stderr,
                    "fiscaltab: error: %s is in use by another batch; try "
                    "again when it ends\n",
                    o->outdir);
            free_jobs(&l);
            return FT_EXIT_WRITE;
        }
        remove_dead_temporaries(o->outdir);
        remove_dead_temporaries(hidden);
    }
    if (!o->force)
        resume(&l, o->outdir, o->csv);
    for (i = 0; i < l.n; i++)
        if (l.v[i].status == 2) {
            done++;
            pages += l.v[i].pages;
            checks += l.v[i].rc == FT_EXIT_CHECKS;
        } else {
            todo++;
        }
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    running = calloc((size_t)o->jobs + 1, sizeof *running);
    order = malloc((l.n + 1) * sizeof *order);
    if (!running || !order)
        return FT_EXIT_INTERNAL;
    /* largest files first, so that the last worker does not run alone */
    for (i = 0; i < l.n; i++)
        order[i] = i;
    order_jobs = l.v;
    qsort(order, l.n, sizeof *order, cmp_size);
    while (!interrupted && (next < l.n || n_run > 0)) {
        /* start workers */
        while (!interrupted && n_run < o->jobs && next < l.n) {
            job *j = &l.v[order[next++]];
            if (j->status)
                continue;
            if (start(j, o->outdir, o->csv, o->settings, o->timeout) != 0) {
                j->status = 1;
                j->rc = -1;
                snprintf(j->error, sizeof j->error, "cannot start a worker");
                failed++;
                done++;
                continue;
            }
            running[n_run++] = j;
        }
        /* reap, drain, time out */
        for (k = 0; k < n_run; k++) {
            job *j = running[k];
            int ws;
            pid_t r;
            drain(j);
            r = waitpid(j->pid, &ws, WNOHANG);
            if (r == 0 && ft_now() - j->started > o->timeout) {
                kill(j->pid, SIGKILL);
                j->timed_out = 1;
                r = waitpid(j->pid, &ws, 0);
                cleanup_tmp(j, o->outdir);
            }
            if (r == j->pid) {
                finish(j, ws);
                record_done(o->outdir, j);
                done++;
                pages += j->pages;
                if (j->rc == FT_EXIT_CHECKS)
                    checks++;
                else if (j->rc != FT_EXIT_OK) {
                    failed++;
                    fprintf(stderr, "%sfiscaltab: failed: %s: %s\n",
                            tty ? "\r\033[K" : "", j->rel,
                            j->error[0] ? j->error : "conversion failed");
                }
                running[k] = running[--n_run];
                k--;
            }
        }
        if (ft_now() - last_print > (tty ? 0.2 : 5.0) || (n_run == 0 && next >= l.n)) {
            double el = ft_now() - t0, rate = el > 0 ? (double)pages / el : 0;
            size_t new_done = done - (l.n - todo);
            double eta = new_done ? el / (double)new_done *
                                        (double)(todo - new_done)
                                  : 0;
            fprintf(stderr,
                    "%sfiscaltab batch: %zu/%zu files, %.1f pages/s, "
                    "ETA %.0fs, %zu failed%s",
                    tty ? "\r\033[K" : "", done, l.n, rate, eta, failed,
                    tty ? "" : "\n");
            last_print = ft_now();
        }
        if (n_run > 0)
            usleep(20000);
    }
    if (interrupted) {
        /* no half-written output: workers write under temporary names */
        for (k = 0; k < n_run; k++) {
            kill(running[k]->pid, SIGKILL);
            waitpid(running[k]->pid, NULL, 0);
            close(running[k]->fd);
            cleanup_tmp(running[k], o->outdir);
        }
    }
    if (tty)
        fputc('\n', stderr);
    if (!interrupted && build_dataset(&l, o->outdir) != 0)
        failed++;
    if (write_report(&l, o->outdir) != 0) {
        fprintf(stderr, "fiscaltab: error: cannot write %s/batch.jsonl\n",
                o->outdir);
        rc = FT_EXIT_WRITE;
    } else {
        rc = failed ? FT_EXIT_BATCH_FAILED
             : checks ? FT_EXIT_CHECKS
                      : FT_EXIT_OK;
    }
    for (i = 0; i < l.n; i++)
        unchecked += l.v[i].status && l.v[i].tables > 0 &&
                     l.v[i].checked == 0 &&
                     (l.v[i].rc == FT_EXIT_OK || l.v[i].rc == FT_EXIT_CHECKS);
    fprintf(stderr,
            "fiscaltab batch: %zu files, %zu converted, %zu with failed "
            "checks, %zu with tables none of which could be checked, %zu "
            "failed, %ld pages, %.1fs%s -> %s/batch.jsonl\n",
            l.n, done > failed ? done - failed : 0, checks, unchecked,
            failed, pages,
            ft_now() - t0,
            interrupted ? " (interrupted)" : "", o->outdir);
    for (i = 0; i < l.n; i++) {
        free(l.v[i].path);
        free(l.v[i].rel);
        free(l.v[i].stem);
        free(l.v[i].buf);
    }
    free(l.v);
    free(running);
    free(order);
    if (lock_fd >= 0)
        close(lock_fd);
    return interrupted ? FT_EXIT_BATCH_FAILED : rc;
}

/* Copies file src to dst (created or replaced); 0 on success. */
static int
copy_file(const char *src, const char *dst)
{
    FILE *in = fopen(src, "rb"), *out;
    char buf[65536], tmp[4500];
    size_t n;
    int rc = 0;
    if (!in)
        return -1;
    snprintf(tmp, sizeof tmp, "%s.tmp%ld", dst, (long)getpid());
    out = ft_create_new(tmp);
    if (!out) {
        fclose(in);
        return -1;
    }
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, out) != n)
            rc = -1;
    fclose(in);
    if (fclose(out) != 0 || rc != 0 || rename(tmp, dst) != 0) {
        remove(tmp);
        return -1;
    }
    return 0;
}

/* Copies the tree src into dst, leaving out the batch's own files at the
 * top (batch.jsonl, dataset.*); symbolic links are not followed. */
static int
copy_tree(const char *src, const char *dst, int top)
{
    DIR *d = opendir(src);
    struct dirent *de;
    int rc = 0;
    if (!d)
        return -1;
    if (ft_is_symlink(dst)) {
        closedir(d);
        fprintf(stderr, "fiscaltab: error: %s is a symbolic link: not "
                        "followed\n", dst);
        return -1;
    }
    mkdir(dst, 0777);
    while ((de = readdir(d)) != NULL && rc == 0) {
        char a[4400], b[4400];
        struct stat st;
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        if (top && (!strcmp(de->d_name, "batch.jsonl") ||
                    !strncmp(de->d_name, "dataset.", 8)))
            continue;
        snprintf(a, sizeof a, "%s/%s", src, de->d_name);
        snprintf(b, sizeof b, "%s/%s", dst, de->d_name);
        if (lstat(a, &st) != 0 || S_ISLNK(st.st_mode))
            continue;
        if (S_ISDIR(st.st_mode))
            rc = copy_tree(a, b, 0);
        else if (S_ISREG(st.st_mode) && !is_temporary(de->d_name) &&
                 strcmp(de->d_name, "lock"))
            rc = copy_file(a, b);
    }
    closedir(d);
    return rc;
}

int
ft_merge(char **dirs, int n_dirs, const char *outdir)
{
    joblist l = {0};
    char line[8192];
    int k, failed = 0, checks = 0;
    size_t i;

    if (mkdir(outdir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "fiscaltab: error: cannot create %s: %s\n", outdir,
                strerror(errno));
        return FT_EXIT_WRITE;
    }
    for (k = 0; k < n_dirs; k++) {
        char path[4200];
        FILE *fp;
        snprintf(path, sizeof path, "%s/batch.jsonl", dirs[k]);
        fp = fopen(path, "r");
        if (!fp) {
            fprintf(stderr, "fiscaltab: error: %s: no batch.jsonl\n",
                    dirs[k]);
            return FT_EXIT_USAGE;
        }
        if (copy_tree(dirs[k], outdir, 1) != 0) {
            fclose(fp);
            fprintf(stderr, "fiscaltab: error: cannot copy %s into %s\n",
                    dirs[k], outdir);
            return FT_EXIT_WRITE;
        }
        while (fgets(line, sizeof line, fp)) {
            char rel[4096], num[64];
            job *j;
            if (!json_field(line, "path", rel, sizeof rel) ||
                add_job(&l, rel, rel) != 0)
                continue;
            j = &l.v[l.n - 1];
            j->status = 1;
            if (json_field(line, "source", rel, sizeof rel)) {
                char *src = strdup(rel);
                if (src) {
                    free(j->path);
                    j->path = src;
                }
            }
            json_field(line, "sha256", j->sha, sizeof j->sha);
            if (json_field(line, "exit", num, sizeof num))
                j->rc = atoi(num);
            read_figures(j, line);
            if (json_field(line, "error", j->error, sizeof j->error) &&
                !strcmp(j->error, "null"))
                j->error[0] = 0;
        }
        fclose(fp);
    }
    qsort(l.v, l.n, sizeof *l.v, cmp_job);
    for (i = 0; i < l.n; i++) {
        if (!l.v[i].stem && !(l.v[i].stem = ft_output_stem(l.v[i].rel)))
            return FT_EXIT_INTERNAL;
        if (l.v[i].rc == FT_EXIT_CHECKS)
            checks++;
        else if (l.v[i].rc != FT_EXIT_OK)
            failed++;
    }
    k = build_dataset(&l, outdir) == 0 && write_report(&l, outdir) == 0;
    fprintf(stderr, "fiscaltab merge: %zu files from %d outputs -> %s\n",
            l.n, n_dirs, outdir);
    for (i = 0; i < l.n; i++) {
        free(l.v[i].path);
        free(l.v[i].rel);
        free(l.v[i].stem);
    }
    free(l.v);
    if (!k)
        return FT_EXIT_WRITE;
    return failed ? FT_EXIT_BATCH_FAILED : checks ? FT_EXIT_CHECKS : FT_EXIT_OK;
}
