/* fsops: a fixed script of file-system calls below the current directory; prints each
   result with the symbolic errno, so native and WASI runs print the same text. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *ename(int e) {
    switch (e) {
    case 0: return "OK";
    case EACCES: return "EACCES";
    case EBADF: return "EBADF";
    case EEXIST: return "EEXIST";
    case EINVAL: return "EINVAL";
    case EISDIR: return "EISDIR";
    case ELOOP: return "ELOOP";
    case ENOENT: return "ENOENT";
    case ENOTDIR: return "ENOTDIR";
    case ENOTEMPTY: return "ENOTEMPTY";
    case EPERM: return "EPERM";
    case ESPIPE: return "ESPIPE";
    case EXDEV: return "EXDEV";
    default: return "E?";
    }
}

static void show(const char *what, int rc) {
    printf("%-40s %s\n", what, rc < 0 ? ename(errno) : "OK");
}

#define TRY(expr) do { errno = 0; show(#expr, (expr)); } while (0)

int main(void) {
    char buf[64];
    struct stat st;
    int fd;
    ssize_t n;

    TRY(mkdir("scratch", 0755));
    TRY(mkdir("scratch", 0755));
    TRY(mkdir("scratch/sub", 0755));

    fd = open("scratch/a.txt", O_CREAT | O_WRONLY | O_TRUNC, 0644);
    show("open a.txt for writing", fd);
    printf("write %zd\n", write(fd, "hello\n", 6));
    errno = 0;
    n = read(fd, buf, sizeof buf);
    printf("read from write-only fd: %zd %s\n", n, ename(errno));
    close(fd);

    fd = open("scratch/a.txt", O_WRONLY | O_APPEND);
    show("open a.txt for appending", fd);
    printf("write %zd\n", write(fd, "world\n", 6));
    close(fd);

    TRY(stat("scratch/a.txt", &st));
    printf("size %lld regular %d\n", (long long)st.st_size, S_ISREG(st.st_mode));

    fd = open("scratch/a.txt", O_RDONLY);
    show("open a.txt for reading", fd);
    errno = 0;
    n = write(fd, "x", 1);
    printf("write to read-only fd: %zd %s\n", n, ename(errno));
    printf("lseek end %lld\n", (long long)lseek(fd, 0, SEEK_END));
    printf("lseek set %lld\n", (long long)lseek(fd, 6, SEEK_SET));
    n = read(fd, buf, sizeof buf - 1);
    buf[n < 0 ? 0 : n] = 0;
    printf("read %zd: %s", n, buf);
    n = pread(fd, buf, 5, 0);
    buf[n < 0 ? 0 : n] = 0;
    printf("pread %zd: %s\n", n, buf);
    errno = 0;
    long long pos = lseek(fd, -100, SEEK_SET);
    printf("lseek negative %lld %s\n", pos, ename(errno));
    close(fd);

    TRY(rename("scratch/a.txt", "scratch/b.txt"));
    TRY(open("scratch/a.txt", O_RDONLY));
    TRY(symlink("b.txt", "scratch/link"));
    TRY(symlink("b.txt", "scratch/link"));
    n = readlink("scratch/link", buf, sizeof buf - 1);
    buf[n < 0 ? 0 : n] = 0;
    printf("readlink %zd %s\n", n, buf);
    TRY(readlink("scratch/b.txt", buf, sizeof buf));
    fd = open("scratch/link", O_RDONLY);
    show("open through link", fd);
    n = read(fd, buf, 5);
    buf[n < 0 ? 0 : n] = 0;
    printf("read through link: %s\n", buf);
    close(fd);
    TRY(open("scratch/link", O_RDONLY | O_NOFOLLOW));
    TRY(lstat("scratch/link", &st));
    printf("lstat link is link %d\n", S_ISLNK(st.st_mode));
    TRY(link("scratch/b.txt", "scratch/hard"));
    TRY(stat("scratch/hard", &st));
    printf("nlink %d size %lld\n", (int)st.st_nlink, (long long)st.st_size);

    fd = open("scratch/hard", O_RDWR);
    show("open hard for read/write", fd);
    printf("pwrite %zd\n", pwrite(fd, "J", 1, 6));
    TRY(ftruncate(fd, 9));
    TRY(fstat(fd, &st));
    printf("size after ftruncate %lld\n", (long long)st.st_size);
    n = pread(fd, buf, sizeof buf - 1, 0);
    buf[n < 0 ? 0 : n] = 0;
    printf("contents %zd: %s|\n", n, buf);
    close(fd);

    struct timespec times[2] = {{1000000000, 0}, {1500000000, 250}};
    TRY(utimensat(AT_FDCWD, "scratch/b.txt", times, 0));
    TRY(stat("scratch/b.txt", &st));
    printf("mtime %lld.%09ld atime %lld\n", (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
           (long long)st.st_atim.tv_sec);

    TRY(open("scratch/missing/x", O_RDONLY));
    TRY(open("scratch/b.txt/x", O_RDONLY));
    TRY(open("scratch/b.txt", O_CREAT | O_EXCL | O_WRONLY, 0644));
    TRY(open("scratch/sub", O_WRONLY));
    TRY(open("scratch/b.txt", O_RDONLY | O_DIRECTORY));
    errno = 0;
    DIR *dir = opendir("scratch/b.txt");
    printf("opendir on a file: %s %s\n", dir ? "opened" : "NULL", ename(errno));
    TRY(unlink("scratch/sub"));
    TRY(rmdir("scratch/b.txt"));
    TRY(rmdir("scratch"));
    TRY(rename("scratch/sub", "scratch/sub/inner"));
    TRY(rename("scratch/b.txt", "scratch/sub"));
    TRY(access("scratch/b.txt", F_OK));
    TRY(access("scratch/nothing", F_OK));

    TRY(unlink("scratch/link"));
    TRY(unlink("scratch/hard"));
    TRY(unlink("scratch/b.txt"));
    TRY(unlink("scratch/b.txt"));
    TRY(rmdir("scratch/sub"));
    TRY(rmdir("scratch"));
    TRY(stat("scratch", &st));
    return 0;
}
