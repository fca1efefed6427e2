/* walk: list a directory tree, entries sorted by name: "d path/", "f path size", "l path -> target". */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk(const char *dir, int depth) {
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "walk: cannot open directory %s\n", dir);
        return 1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 16;
            names = realloc(names, cap * sizeof *names);
        }
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, by_name);
    int status = 0;
    for (size_t i = 0; i < n; i++) {
        char path[1024];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (lstat(path, &st) != 0) {
            printf("? %s\n", path);
            status = 1;
        } else if (S_ISDIR(st.st_mode)) {
            printf("%*sd %s/\n", 2 * depth, "", path);
            status |= walk(path, depth + 1);
        } else if (S_ISLNK(st.st_mode)) {
            char target[256];
            ssize_t len = readlink(path, target, sizeof target - 1);
            target[len < 0 ? 0 : len] = 0;
            printf("%*sl %s -> %s\n", 2 * depth, "", path, target);
        } else {
            printf("%*sf %s %lld\n", 2 * depth, "", path, (long long)st.st_size);
        }
        free(names[i]);
    }
    free(names);
    return status;
}

int main(int argc, char **argv) {
    int status = 0;
    for (int i = 1; i < argc; i++) status |= walk(argv[i], 0);
    return argc < 2 ? 2 : status;
}
