/*
 * files.c - files under the output folder, never through a link.
 *
 * fiscaltab writes only under -o, and a symbolic link planted there must
 * not carry a write or a deletion outside it: temporaries are created
 * afresh (O_EXCL | O_NOFOLLOW), directories are emptied through a handle
 * opened without following a link, and a link where an output or a
 * folder of outputs goes is refused.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "write.h"

int
ft_is_symlink(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
}

FILE *
ft_create_new(const char *path)
{
    int fd;
    FILE *fp;
    /* a temporary of ours left by a killed run, or a link put there:
     * the name goes, whatever it pointed at stays */
    if (unlink(path) != 0 && errno != ENOENT)
        return NULL;
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
              0666);
    if (fd < 0)
        return NULL;
    fp = fdopen(fd, "wb");
    if (!fp)
        close(fd);
    return fp;
}

void
ft_remove_tree(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d;
    struct dirent *de;
    if (fd < 0) {
        if (ft_is_symlink(dir))
            unlink(dir); /* the link, not what it points at */
        return;
    }
    d = fdopendir(fd);
    if (!d) {
        close(fd);
        return;
    }
    while ((de = readdir(d)) != NULL)
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
            unlinkat(fd, de->d_name, 0); /* files and links, one level */
    closedir(d);
    rmdir(dir);
}

int
ft_link_below(const char *root, const char *path, char *bad, size_t n)
{
    char buf[4096];
    size_t len = strlen(root), i;
    if (strncmp(path, root, len) != 0 || strlen(path) >= sizeof buf)
        return 0;
    memcpy(buf, path, strlen(path) + 1);
    for (i = len + 1; i <= strlen(path); i++) {
        if (buf[i] != '/' && buf[i] != 0)
            continue;
        buf[i] = 0;
        if (ft_is_symlink(buf)) {
            snprintf(bad, n, "%s", buf);
            return 1;
        }
        buf[i] = path[i];
    }
    return 0;
}
