"""SQLite's side files (-wal, -shm) get the database file's permissions back.

SQLite creates a database's -wal and -shm with the database file's mode bits. A node
that runs while the file is read-only (0444) therefore creates 0444 side files; once
the operator makes the database writable again (chmod 0644) the running node recovers
(its fresh connections open the file read-write: Database.recycle), but SQLite later
recreates the -wal and leaves the -shm 0444. The next start opened the -shm read-only,
so every write failed and readiness said 503 for good, though the database file was
writable: measured by tests/storage/test_storage_readonly.py (issue 24, item 6).

`widen` gives a side file the database file's permission bits where it lacks some: it
only ever adds bits, so it never makes a database read-only and is harmless while the
fault lasts. The owner may chmod its own files, root without CAP_DAC_OVERRIDE too.
"""
import logging
import os

log = logging.getLogger(__name__)
SIDE_FILES = ("-wal", "-shm")


def widen(path):
    """Give `path`-wal and `path`-shm the permission bits `path` has and they lack."""
    try:
        wanted = os.stat(path).st_mode & 0o777
    except OSError:
        return  # no database file yet: SQLite creates all three alike
    for suffix in SIDE_FILES:
        side = path + suffix
        try:
            mode = os.stat(side).st_mode & 0o777
            if wanted & ~mode:
                os.chmod(side, mode | wanted)
                log.warning("%s was mode %o, the database %o: now %o (SQLite made it "
                            "while the database was read-only)", side, mode, wanted,
                            mode | wanted)
        except OSError:
            continue  # absent, or not ours to change: SQLite says so on first use
