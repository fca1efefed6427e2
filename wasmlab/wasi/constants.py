"""WASI preview1 constants (witx `wasi_snapshot_preview1`): errno, rights, flags, file types,
and the wasm signature of every function the module `wasi_snapshot_preview1` exports."""

from __future__ import annotations

import errno as _host_errno

from ..syntax.types import FuncType, ValType

MODULE = "wasi_snapshot_preview1"

# --- errno --------------------------------------------------------------------------------

ERRNO_NAMES = (
    "SUCCESS 2BIG ACCES ADDRINUSE ADDRNOTAVAIL AFNOSUPPORT AGAIN ALREADY BADF BADMSG BUSY "
    "CANCELED CHILD CONNABORTED CONNREFUSED CONNRESET DEADLK DESTADDRREQ DOM DQUOT EXIST FAULT "
    "FBIG HOSTUNREACH IDRM ILSEQ INPROGRESS INTR INVAL IO ISCONN ISDIR LOOP MFILE MLINK MSGSIZE "
    "MULTIHOP NAMETOOLONG NETDOWN NETRESET NETUNREACH NFILE NOBUFS NODEV NOENT NOEXEC NOLCK "
    "NOLINK NOMEM NOMSG NOPROTOOPT NOSPC NOSYS NOTCONN NOTDIR NOTEMPTY NOTRECOVERABLE NOTSOCK "
    "NOTSUP NOTTY NXIO OVERFLOW OWNERDEAD PERM PIPE PROTO PROTONOSUPPORT PROTOTYPE RANGE ROFS "
    "SPIPE SRCH STALE TIMEDOUT TXTBSY XDEV NOTCAPABLE"
).split()
"""WASI errno names in code order: `ERRNO_NAMES[code]`."""

SUCCESS = 0
E2BIG = 1
EACCES = 2
EAGAIN = 6
EBADF = 8
EBUSY = 10
EEXIST = 20
EFAULT = 21
EFBIG = 22
EILSEQ = 25
EINTR = 27
EINVAL = 28
EIO = 29
EISDIR = 31
ELOOP = 32
EMFILE = 33
ENAMETOOLONG = 37
ENOENT = 44
ENOMEM = 48
ENOSPC = 51
ENOSYS = 52
ENOTDIR = 54
ENOTEMPTY = 55
ENOTSUP = 58
EOVERFLOW = 61
EPERM = 63
ESPIPE = 70
EXDEV = 75
ENOTCAPABLE = 76

assert ERRNO_NAMES[ENOTCAPABLE] == "NOTCAPABLE" and ERRNO_NAMES[EPERM] == "PERM"


def _host_errno_map() -> dict[int, int]:
    table: dict[int, int] = {}
    for code, name in enumerate(ERRNO_NAMES):
        host = getattr(_host_errno, "E" + name, None)
        if host is not None:
            table.setdefault(host, code)
    for alias, wasi in (("EWOULDBLOCK", EAGAIN), ("EOPNOTSUPP", ENOTSUP), ("ENOTSUP", ENOTSUP)):
        host = getattr(_host_errno, alias, None)
        if host is not None:
            table[host] = wasi
    return table


HOST_ERRNO = _host_errno_map()


def from_host_errno(code: int | None) -> int:
    """The WASI errno for a host `OSError.errno` (EIO when WASI has no such code)."""
    return HOST_ERRNO.get(code or 0, EIO) if code else EIO


# --- rights -------------------------------------------------------------------------------

RIGHT_NAMES = (
    "FD_DATASYNC FD_READ FD_SEEK FD_FDSTAT_SET_FLAGS FD_SYNC FD_TELL FD_WRITE FD_ADVISE "
    "FD_ALLOCATE PATH_CREATE_DIRECTORY PATH_CREATE_FILE PATH_LINK_SOURCE PATH_LINK_TARGET "
    "PATH_OPEN FD_READDIR PATH_READLINK PATH_RENAME_SOURCE PATH_RENAME_TARGET PATH_FILESTAT_GET "
    "PATH_FILESTAT_SET_SIZE PATH_FILESTAT_SET_TIMES FD_FILESTAT_GET FD_FILESTAT_SET_SIZE "
    "FD_FILESTAT_SET_TIMES PATH_SYMLINK PATH_REMOVE_DIRECTORY PATH_UNLINK_FILE "
    "POLL_FD_READWRITE SOCK_SHUTDOWN SOCK_ACCEPT"
).split()
"""Rights in bit order: right `RIGHT_NAMES[i]` is `1 << i`."""

R = {name: 1 << i for i, name in enumerate(RIGHT_NAMES)}
RIGHTS_ALL = (1 << len(RIGHT_NAMES)) - 1

FD_DATASYNC = R["FD_DATASYNC"]
FD_READ = R["FD_READ"]
FD_SEEK = R["FD_SEEK"]
FD_FDSTAT_SET_FLAGS = R["FD_FDSTAT_SET_FLAGS"]
FD_SYNC = R["FD_SYNC"]
FD_TELL = R["FD_TELL"]
FD_WRITE = R["FD_WRITE"]
FD_ADVISE = R["FD_ADVISE"]
FD_ALLOCATE = R["FD_ALLOCATE"]
PATH_CREATE_DIRECTORY = R["PATH_CREATE_DIRECTORY"]
PATH_CREATE_FILE = R["PATH_CREATE_FILE"]
PATH_LINK_SOURCE = R["PATH_LINK_SOURCE"]
PATH_LINK_TARGET = R["PATH_LINK_TARGET"]
PATH_OPEN = R["PATH_OPEN"]
FD_READDIR = R["FD_READDIR"]
PATH_READLINK = R["PATH_READLINK"]
PATH_RENAME_SOURCE = R["PATH_RENAME_SOURCE"]
PATH_RENAME_TARGET = R["PATH_RENAME_TARGET"]
PATH_FILESTAT_GET = R["PATH_FILESTAT_GET"]
PATH_FILESTAT_SET_SIZE = R["PATH_FILESTAT_SET_SIZE"]
PATH_FILESTAT_SET_TIMES = R["PATH_FILESTAT_SET_TIMES"]
FD_FILESTAT_GET = R["FD_FILESTAT_GET"]
FD_FILESTAT_SET_SIZE = R["FD_FILESTAT_SET_SIZE"]
FD_FILESTAT_SET_TIMES = R["FD_FILESTAT_SET_TIMES"]
PATH_SYMLINK = R["PATH_SYMLINK"]
PATH_REMOVE_DIRECTORY = R["PATH_REMOVE_DIRECTORY"]
PATH_UNLINK_FILE = R["PATH_UNLINK_FILE"]
POLL_FD_READWRITE = R["POLL_FD_READWRITE"]

FILE_RIGHTS = (
    FD_DATASYNC | FD_READ | FD_SEEK | FD_FDSTAT_SET_FLAGS | FD_SYNC | FD_TELL | FD_WRITE
    | FD_ADVISE | FD_ALLOCATE | FD_FILESTAT_GET | FD_FILESTAT_SET_SIZE | FD_FILESTAT_SET_TIMES
    | POLL_FD_READWRITE
)  # fmt: skip
"""The rights that mean something on a regular file."""

DIR_RIGHTS = (
    FD_FDSTAT_SET_FLAGS | FD_SYNC | FD_ADVISE | PATH_CREATE_DIRECTORY | PATH_CREATE_FILE
    | PATH_LINK_SOURCE | PATH_LINK_TARGET | PATH_OPEN | FD_READDIR | PATH_READLINK
    | PATH_RENAME_SOURCE | PATH_RENAME_TARGET | PATH_FILESTAT_GET | PATH_FILESTAT_SET_SIZE
    | PATH_FILESTAT_SET_TIMES | FD_FILESTAT_GET | FD_FILESTAT_SET_TIMES | PATH_SYMLINK
    | PATH_REMOVE_DIRECTORY | PATH_UNLINK_FILE
)  # fmt: skip
"""The rights that mean something on a directory."""

STDIN_RIGHTS = FD_READ | FD_FDSTAT_SET_FLAGS | FD_FILESTAT_GET | POLL_FD_READWRITE
STDOUT_RIGHTS = FD_WRITE | FD_FDSTAT_SET_FLAGS | FD_FILESTAT_GET | POLL_FD_READWRITE

# --- enums and flags ----------------------------------------------------------------------

FILETYPE_UNKNOWN = 0
FILETYPE_BLOCK_DEVICE = 1
FILETYPE_CHARACTER_DEVICE = 2
FILETYPE_DIRECTORY = 3
FILETYPE_REGULAR_FILE = 4
FILETYPE_SOCKET_DGRAM = 5
FILETYPE_SOCKET_STREAM = 6
FILETYPE_SYMBOLIC_LINK = 7

CLOCK_REALTIME = 0
CLOCK_MONOTONIC = 1
CLOCK_PROCESS_CPUTIME_ID = 2
CLOCK_THREAD_CPUTIME_ID = 3

WHENCE_SET = 0
WHENCE_CUR = 1
WHENCE_END = 2

FDFLAGS_APPEND = 1 << 0
FDFLAGS_DSYNC = 1 << 1
FDFLAGS_NONBLOCK = 1 << 2
FDFLAGS_RSYNC = 1 << 3
FDFLAGS_SYNC = 1 << 4
FDFLAGS_ALL = (1 << 5) - 1

FSTFLAGS_ATIM = 1 << 0
FSTFLAGS_ATIM_NOW = 1 << 1
FSTFLAGS_MTIM = 1 << 2
FSTFLAGS_MTIM_NOW = 1 << 3

LOOKUPFLAGS_SYMLINK_FOLLOW = 1 << 0

OFLAGS_CREAT = 1 << 0
OFLAGS_DIRECTORY = 1 << 1
OFLAGS_EXCL = 1 << 2
OFLAGS_TRUNC = 1 << 3

EVENTTYPE_CLOCK = 0
EVENTTYPE_FD_READ = 1
EVENTTYPE_FD_WRITE = 2
SUBCLOCKFLAGS_ABSTIME = 1 << 0
EVENTRWFLAGS_FD_READWRITE_HANGUP = 1 << 0

ADVICE_MAX = 5  # normal, sequential, random, willneed, dontneed, noreuse
PREOPENTYPE_DIR = 0

# sizes of the records preview1 writes into guest memory
DIRENT_SIZE = 24
FDSTAT_SIZE = 24
FILESTAT_SIZE = 64
SUBSCRIPTION_SIZE = 48
EVENT_SIZE = 32
PRESTAT_SIZE = 8

PATH_MAX = 4096
"""Longest guest path accepted (longer: ENAMETOOLONG), as on Linux."""
SYMLINK_MAX = 32
"""Symbolic links followed while resolving one path before ELOOP."""

# --- signatures ---------------------------------------------------------------------------

_I, _L = ValType.I32, ValType.I64
_SIG = {
    "args_get": "ii", "args_sizes_get": "ii", "environ_get": "ii", "environ_sizes_get": "ii",
    "clock_res_get": "ii", "clock_time_get": "iLi",
    "fd_advise": "iLLi", "fd_allocate": "iLL", "fd_close": "i", "fd_datasync": "i",
    "fd_fdstat_get": "ii", "fd_fdstat_set_flags": "ii", "fd_fdstat_set_rights": "iLL",
    "fd_filestat_get": "ii", "fd_filestat_set_size": "iL", "fd_filestat_set_times": "iLLi",
    "fd_pread": "iiiLi", "fd_prestat_get": "ii", "fd_prestat_dir_name": "iii",
    "fd_pwrite": "iiiLi", "fd_read": "iiii", "fd_readdir": "iiiLi", "fd_renumber": "ii",
    "fd_seek": "iLii", "fd_sync": "i", "fd_tell": "ii", "fd_write": "iiii",
    "path_create_directory": "iii", "path_filestat_get": "iiiii",
    "path_filestat_set_times": "iiiiLLi", "path_link": "iiiiiii",
    "path_open": "iiiiiLLii", "path_readlink": "iiiiii", "path_remove_directory": "iii",
    "path_rename": "iiiiii", "path_symlink": "iiiii", "path_unlink_file": "iii",
    "poll_oneoff": "iiii", "proc_exit": "i", "proc_raise": "i", "sched_yield": "",
    "random_get": "ii", "sock_accept": "iii", "sock_recv": "iiiiii", "sock_send": "iiiii",
    "sock_shutdown": "ii",
}  # fmt: skip

SIGNATURES: dict[str, FuncType] = {
    name: FuncType(tuple(_I if c == "i" else _L for c in params), () if name == "proc_exit" else (_I,))
    for name, params in _SIG.items()
}
"""The wasm type of every preview1 function (every one returns an errno, except proc_exit)."""
