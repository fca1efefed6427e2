/* escape: try to leave the sandbox in many ways, calling the WASI imports directly (this is
   a WASI-only program). Preopen 3 is the sandbox; argv[1] is the host path of the secret
   file outside it. Prints one line per attempt: its label, the WASI errno, and what was read. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

#define IMPORT(name) __attribute__((import_module("wasi_snapshot_preview1"), import_name(name)))
IMPORT("path_open") int32_t raw_path_open(int32_t fd, int32_t dirflags, int32_t path, int32_t len,
                                          int32_t oflags, int64_t base, int64_t inheriting,
                                          int32_t fdflags, int32_t fd_out);

#define SANDBOX 3
#define FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW
static const __wasi_rights_t READ = __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_READDIR |
                                    __WASI_RIGHTS_PATH_OPEN | __WASI_RIGHTS_FD_FILESTAT_GET;

static void report(const char *label, int e, __wasi_fd_t fd) {
    printf("%-44s errno %2d", label, e);
    if (e == 0) {
        char buf[40] = {0};
        __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf - 1};
        __wasi_size_t n = 0;
        int r = __wasi_fd_read(fd, &iov, 1, &n);
        for (char *p = buf; *p; p++) if (*p == '\n') *p = ' ';
        printf(" read errno %d: \"%s\"", r, buf);
        (void)__wasi_fd_close(fd);
    }
    printf("\n");
}

static void open_at(const char *label, __wasi_fd_t dir, const char *path, __wasi_lookupflags_t lf) {
    __wasi_fd_t fd = 0;
    int e = __wasi_path_open(dir, lf, path, 0, READ, READ, 0, &fd);
    report(label, e, fd);
}

static void open_raw(const char *label, const char *path, size_t len) {
    __wasi_fd_t fd = 0;
    int e = raw_path_open(SANDBOX, FOLLOW, (int32_t)(uintptr_t)path, (int32_t)len, 0, READ, READ, 0,
                          (int32_t)(uintptr_t)&fd);
    report(label, e, fd);
}

static void result(const char *label, int e) { printf("%-44s errno %2d\n", label, e); }

int main(int argc, char **argv) {
    static char huge[5000], longname[300];
    __wasi_filestat_t st;
    __wasi_fd_t fd = 0, sub = 0, dot = 0;
    int e;

    open_at("control: inside.txt", SANDBOX, "inside.txt", FOLLOW);
    open_at("control: link inside sub/back/inside.txt", SANDBOX, "sub/back/inside.txt", FOLLOW);
    open_at("control: self/inside.txt", SANDBOX, "self/inside.txt", FOLLOW);
    open_at("../outside/secret.txt", SANDBOX, "../outside/secret.txt", FOLLOW);
    open_at("absolute /etc/passwd", SANDBOX, "/etc/passwd", FOLLOW);
    open_at("absolute host path of the secret", SANDBOX, argc > 1 ? argv[1] : "/", FOLLOW);
    open_at("sub/../../outside/secret.txt", SANDBOX, "sub/../../outside/secret.txt", FOLLOW);
    open_at("sub/../sub/../../outside/secret.txt", SANDBOX, "sub/../sub/../../outside/secret.txt", FOLLOW);
    open_at("relative link out: up/secret.txt", SANDBOX, "up/secret.txt", FOLLOW);
    open_at("absolute link: abs", SANDBOX, "abs", FOLLOW);
    open_at("absolute link, not followed", SANDBOX, "abs", 0);
    open_at("link chain: chain1", SANDBOX, "chain1", FOLLOW);
    open_at("link in the middle: sub/deep/secret.txt", SANDBOX, "sub/deep/secret.txt", FOLLOW);
    open_at("link to ..: dotdot/outside/secret.txt", SANDBOX, "dotdot/outside/secret.txt", FOLLOW);
    open_at("link loop", SANDBOX, "loop1", FOLLOW);
    open_at("the preopen's parent: ..", SANDBOX, "..", FOLLOW);
    open_at("trailing: sub/../..", SANDBOX, "sub/../..", FOLLOW);
    open_at("backslashes ..\\outside\\secret.txt", SANDBOX, "..\\outside\\secret.txt", FOLLOW);
    open_at("one-dot leaders \u2024\u2024/outside/secret.txt", SANDBOX, "\u2024\u2024/outside/secret.txt", FOLLOW);
    open_at("fullwidth \uff0e\uff0e/outside/secret.txt", SANDBOX, "\uff0e\uff0e/outside/secret.txt", FOLLOW);
    open_raw("NUL byte: inside.txt\\0../x", "inside.txt\0../outside/secret.txt", 33);
    open_raw("overlong UTF-8 dots \\xc0\\xae", "\xc0\xae\xc0\xae/outside/secret.txt", 22);
    memset(longname, 'a', sizeof longname - 1);
    open_at("a 299-byte component", SANDBOX, longname, FOLLOW);
    for (size_t i = 0; i + 2 < sizeof huge; i += 2) memcpy(huge + i, "a/", 2);
    open_at("a 4998-byte path", SANDBOX, huge, FOLLOW);

    e = __wasi_path_open(SANDBOX, FOLLOW, ".", __WASI_OFLAGS_DIRECTORY, READ, READ, 0, &dot);
    result("open . as a directory", e);
    open_at("from the . descriptor: ../outside/secret.txt", dot, "../outside/secret.txt", FOLLOW);
    e = __wasi_path_open(SANDBOX, FOLLOW, "sub", __WASI_OFLAGS_DIRECTORY, READ, READ, 0, &sub);
    result("open sub as a directory", e);
    open_at("from sub: ../inside.txt", sub, "../inside.txt", FOLLOW);
    open_at("from sub: back/inside.txt", sub, "back/inside.txt", FOLLOW);

    result("filestat ../outside/secret.txt", __wasi_path_filestat_get(SANDBOX, 0, "../outside/secret.txt", &st));
    result("filestat up (followed)", __wasi_path_filestat_get(SANDBOX, FOLLOW, "up", &st));
    result("filestat up (the link itself)", __wasi_path_filestat_get(SANDBOX, 0, "up", &st));
    uint8_t link[64];
    __wasi_size_t used = 0;
    result("readlink ../outside", __wasi_path_readlink(SANDBOX, "../outside", link, sizeof link, &used));
    result("rename inside.txt to ../stolen.txt", __wasi_path_rename(SANDBOX, "inside.txt", SANDBOX, "../stolen.txt"));
    result("rename inside.txt to up/stolen.txt", __wasi_path_rename(SANDBOX, "inside.txt", SANDBOX, "up/stolen.txt"));
    result("rename ../outside/secret.txt in", __wasi_path_rename(SANDBOX, "../outside/secret.txt", SANDBOX, "got.txt"));
    result("hard link inside.txt to ../hard", __wasi_path_link(SANDBOX, 0, "inside.txt", SANDBOX, "../hard"));
    result("hard link up/secret.txt in", __wasi_path_link(SANDBOX, FOLLOW, "up/secret.txt", SANDBOX, "got.txt"));
    result("mkdir ../newdir", __wasi_path_create_directory(SANDBOX, "../newdir"));
    result("mkdir up/newdir", __wasi_path_create_directory(SANDBOX, "up/newdir"));
    result("unlink ../outside/secret.txt", __wasi_path_unlink_file(SANDBOX, "../outside/secret.txt"));
    result("unlink up/secret.txt", __wasi_path_unlink_file(SANDBOX, "up/secret.txt"));
    result("rmdir ..", __wasi_path_remove_directory(SANDBOX, ".."));
    result("rmdir up/", __wasi_path_remove_directory(SANDBOX, "up/"));
    result("set times of ../outside/secret.txt",
           __wasi_path_filestat_set_times(SANDBOX, 0, "../outside/secret.txt", 1, 1, __WASI_FSTFLAGS_MTIM));
    result("symlink mylink -> /etc/passwd then open", __wasi_path_symlink("/etc/passwd", SANDBOX, "mylink"));
    open_at("  open mylink", SANDBOX, "mylink", FOLLOW);
    result("symlink mylink2 -> ../outside then open", __wasi_path_symlink("../outside", SANDBOX, "mylink2"));
    open_at("  open mylink2/secret.txt", SANDBOX, "mylink2/secret.txt", FOLLOW);

    e = __wasi_path_open(SANDBOX, FOLLOW, "inside.txt", 0, READ, READ, 0, &fd);
    result("open inside.txt read-only", e);
    __wasi_ciovec_t civ = {(const uint8_t *)"x", 1};
    __wasi_size_t n = 0;
    result("  write to it", __wasi_fd_write(fd, &civ, 1, &n));
    result("  readdir on it", __wasi_fd_readdir(fd, link, sizeof link, 0, &used));
    result("  path_open through it", __wasi_path_open(fd, 0, "x", 0, READ, READ, 0, &sub));
    result("path_open on descriptor 99", __wasi_path_open(99, 0, "inside.txt", 0, READ, READ, 0, &sub));
    result("  renumber it onto the preopen", __wasi_fd_renumber(fd, SANDBOX));
    open_at("  then open inside.txt through 3", SANDBOX, "inside.txt", FOLLOW);
    __wasi_prestat_t pre;
    result("  prestat of 3", __wasi_fd_prestat_get(SANDBOX, &pre));
    return 0;
}
