"""``get_file``: download a file once, keep it in the Keras cache (``~/.keras/datasets``), check its hash.

The cache layout is Keras 3's, so files that real Keras already downloaded are found and reused, and the other
way round. Beyond Keras, a download never leaves a partial file behind (it is written to a temporary file next
to the target and renamed only once complete and verified), a dead network fails within seconds instead of
hanging, every error names the URL and the path where the file can be put by hand, and archives are checked
member by member before anything is extracted.
"""

import os
import re
import sys
import urllib.parse
import warnings

# hashlib, shutil, tempfile, tarfile, zipfile and urllib.request are imported where they are used: together they
# would add tens of milliseconds to `import kerasnb`, for a function most sessions never call.

__all__ = ["DownloadError", "get_file", "hash_file", "validate_file"]

# Seconds to wait for a connection, and for each read after it: a dead network or a server that stops sending
# fails within this time instead of hanging a notebook cell forever.
TIMEOUT = 15
_CHUNK = 1 << 16


class DownloadError(OSError):
    """A download failed: the server could not be reached, answered with an error, or stopped mid-file.

    It is an ``OSError`` (as ``urllib``'s own errors are), so ``except Exception`` and ``except OSError`` both
    catch it; the message names the URL and the cache path where the file can be put by hand.
    """


def keras_home():
    """The Keras folder: ``$KERAS_HOME`` if set, else ``~/.keras`` (``/tmp/.keras`` if home is read-only).

    Read at call time (Keras reads it once at import), so setting ``KERAS_HOME`` in a running notebook works.

    Example:
        >>> import os
        >>> from kerasnb.utils.file_utils import keras_home
        >>> keras_home() == os.environ["KERAS_HOME"] if "KERAS_HOME" in os.environ else keras_home().endswith(".keras")
        True
    """
    if "KERAS_HOME" in os.environ:
        return os.environ["KERAS_HOME"]
    base = os.path.expanduser("~")
    if not os.access(base, os.W_OK):
        base = "/tmp"
    return os.path.join(base, ".keras")


def _resolve_hasher(algorithm, file_hash=None):
    import hashlib

    if algorithm not in ("auto", "sha256", "md5"):
        raise ValueError(f"`hash_algorithm` must be 'auto', 'sha256' or 'md5'. Received: hash_algorithm={algorithm!r}")
    # 'auto' as in Keras: a 64-digit hash is sha256, anything else md5.
    if algorithm == "sha256" or (algorithm == "auto" and file_hash is not None and len(str(file_hash)) == 64):
        return hashlib.sha256()
    return hashlib.md5()


def hash_file(fpath, algorithm="sha256", chunk_size=_CHUNK):
    """The hex digest of the file at ``fpath`` (``algorithm``: ``'sha256'`` or ``'md5'``).

    Example:
        >>> import tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "empty.txt")
        >>> open(path, "wb").close()
        >>> hash_file(path)
        'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
    """
    hasher = _resolve_hasher(algorithm) if isinstance(algorithm, str) else algorithm
    with open(fpath, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def validate_file(fpath, file_hash, algorithm="auto", chunk_size=_CHUNK):
    """Whether the file at ``fpath`` has the sha256 or md5 hash ``file_hash`` (``'auto'`` picks by length).

    Example:
        >>> import tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "empty.txt")
        >>> open(path, "wb").close()
        >>> validate_file(path, "d41d8cd98f00b204e9800998ecf8427e")  # the md5 of no bytes
        True
    """
    hasher = _resolve_hasher(algorithm, file_hash)
    return hash_file(fpath, hasher, chunk_size) == str(file_hash).lower()


def get_file(
    fname=None,
    origin=None,
    untar=False,
    md5_hash=None,
    file_hash=None,
    cache_subdir="datasets",
    hash_algorithm="auto",
    extract=False,
    archive_format="auto",
    cache_dir=None,
    force_download=False,
):
    """Download the file at ``origin`` unless it is already in the cache, and return its local path.

    The file goes to ``cache_dir/cache_subdir/fname``: by default ``~/.keras/datasets/fname``, or under
    ``$KERAS_HOME`` when that is set (``/tmp/.keras`` when the folder cannot be written), the same place Keras
    uses, so a cache filled by Keras is reused. A cached file whose hash does not match ``file_hash`` is
    downloaded again.

    Args:
        fname: the local file name; ``None`` takes the last part of ``origin``'s path. Not a path: use
            ``cache_dir`` and ``cache_subdir`` to choose the folder.
        origin: the URL to download from (``http``, ``https`` or ``file``).
        untar: deprecated: ``extract=True`` with ``archive_format='tar'``.
        md5_hash: deprecated: ``file_hash`` with ``hash_algorithm='md5'``.
        file_hash: the expected sha256 or md5 hex digest, checked for cached files and for every download.
        cache_subdir: folder under ``cache_dir`` (an absolute path is used as is).
        hash_algorithm: ``'sha256'``, ``'md5'`` or ``'auto'`` (64 hex digits mean sha256, else md5).
        extract: extract the archive (tar, tar.gz, tar.bz2, tar.xz or zip) and return the extraction folder.
        archive_format: ``'auto'`` (tar, then zip), ``'tar'``, ``'zip'``, a list of these, or ``None``.
        cache_dir: the cache folder; ``None`` means ``$KERAS_HOME`` or ``~/.keras``.
        force_download: download even if the file is cached.

    Returns:
        The path of the file, or with ``extract=True`` the folder it was extracted into. The names follow
        Keras 3: with ``fname='data.tar.gz'`` the archive is ``data.tar.gz`` and the folder ``data_extracted``;
        with ``fname='data'`` (no dot) or no ``fname`` the folder is ``data`` and the archive ``data_archive``.

    Raises:
        DownloadError: the server could not be reached within :data:`TIMEOUT` seconds, answered with an error
            (such as 404) or closed the connection mid-file. The message names the URL and the path where a
            copy of the file can be put by hand.
        ValueError: the downloaded file does not have ``file_hash`` (the message gives both hashes), or an
            archive has a member that would land outside the extraction folder (then nothing is extracted).

    Downloading a file runs no code from it, but loading it may: pass ``file_hash`` whenever the hash is known
    from a source you trust.

    Example:
        >>> path = keras.utils.get_file(  # doctest: +SKIP
        ...     origin="https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz",
        ...     file_hash="731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1")
        >>> path  # doctest: +SKIP
        '/home/me/.keras/datasets/mnist.npz'
    """
    if origin is None:
        raise ValueError('Please pass the "origin" argument: the URL of the file to download. Received: origin=None')
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    _resolve_hasher(hash_algorithm, file_hash)  # reject a bad algorithm before any download
    if file_hash is not None:
        file_hash = str(file_hash).lower()

    provided_fname = fname
    fname = os.fspath(fname) if fname is not None else None
    if not fname:
        fname = os.path.basename(urllib.parse.urlsplit(origin).path)
        if not fname:
            raise ValueError(f"Can't take a file name from origin={origin!r}. Please pass the `fname` argument.")
    elif os.sep in fname or (os.altsep and os.altsep in fname) or fname in (".", ".."):
        raise ValueError(
            "`fname` is a file name, not a path; to choose the folder use `cache_dir` and `cache_subdir`. "
            f"Received: fname={fname!r}"
        )

    extract = bool(extract or untar)
    if untar:
        archive_format = "tar"

    def paths_in(base):
        datadir = os.path.join(base, cache_subdir)
        if not extract:
            return datadir, os.path.join(datadir, fname), None
        # Keras 3's names, so that an archive Keras downloaded (and the folder it extracted) are found.
        if provided_fname and "." in fname:
            return datadir, os.path.join(datadir, fname), os.path.join(datadir, f"{fname[:fname.find('.')]}_extracted")
        return datadir, os.path.join(datadir, f"{fname}_archive"), os.path.join(datadir, fname)

    base = os.path.expanduser(cache_dir if cache_dir is not None else keras_home())
    datadir, download_target, extraction_dir = paths_in(base)
    if not _writable_folder(datadir):
        # A read-only cache (a folder shared by a class, say) is still used when it already holds the file.
        cached = (
            not force_download
            and os.path.exists(download_target)
            and (extraction_dir is None or os.path.isdir(extraction_dir))
            and (file_hash is None or validate_file(download_target, file_hash, hash_algorithm))
        )
        if cached:
            return extraction_dir or download_target
        # As Keras: fall back to a folder that can be written.
        import tempfile

        fallback = os.path.join("/tmp" if os.path.isdir("/tmp") else tempfile.gettempdir(), ".keras")
        datadir, download_target, extraction_dir = paths_in(fallback)
        os.makedirs(datadir, exist_ok=True)

    if force_download or not os.path.exists(download_target):
        download = True
    elif file_hash is not None and not validate_file(download_target, file_hash, hash_algorithm):
        print(
            f"A local file was found at {download_target}, but its {_algorithm_name(hash_algorithm, file_hash)} "
            f"hash does not match the original value of {file_hash}, so it will be downloaded again."
        )
        download = True
    else:
        download = False

    if download:
        print(f"Downloading data from {origin}")
        _download(origin, download_target, file_hash, hash_algorithm)

    if extract:
        if download or not os.path.isdir(extraction_dir):
            if not _extract_archive(download_target, extraction_dir, archive_format):
                warnings.warn(
                    f"Could not extract {download_target}: it is not an archive of format {archive_format!r}.",
                    stacklevel=2,
                )
        return extraction_dir
    return download_target


def _writable_folder(path):
    try:
        os.makedirs(path, exist_ok=True)
    except OSError:
        return False
    return os.access(path, os.W_OK)


def _algorithm_name(algorithm, file_hash):
    return _resolve_hasher(algorithm, file_hash).name


# -- downloading --------------------------------------------------------------------------------------------------
def _download(origin, target, file_hash, hash_algorithm):
    """Fetch ``origin`` into ``target`` through a temporary file, so ``target`` is either complete or absent."""
    import tempfile

    hasher = _resolve_hasher(hash_algorithm, file_hash)
    folder = os.path.dirname(target) or "."
    fd, partial = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(target)}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            _fetch(origin, target, out, hasher)
        if file_hash is not None and hasher.hexdigest() != file_hash:
            raise ValueError(
                f"Incomplete or corrupted file detected: the {hasher.name} hash of the file downloaded from "
                f"{origin} is {hasher.hexdigest()}, but file_hash={file_hash} was expected. Nothing was saved. "
                "Check the URL and the hash; if the server is a mirror, it serves a different file."
            )
        os.replace(partial, target)
    except BaseException:
        # Also on KeyboardInterrupt: a half-written file must never pass for a cached one.
        try:
            os.remove(partial)
        except OSError:
            pass
        raise


def _fetch(origin, target, out, hasher):
    """Stream ``origin`` into the open file ``out``, updating ``hasher`` and a progress bar."""
    import http.client
    import urllib.error
    import urllib.request

    from kerasnb.utils.progbar import Progbar

    def failure(reason):
        return DownloadError(
            f"URL fetch failure on {origin}: {reason}. If you are offline or the server is unreachable, "
            f"download the file by other means and save it as {target}"
        )

    if sys.platform == "emscripten" and urllib.parse.urlsplit(origin).scheme in ("http", "https"):
        data = _fetch_in_browser(origin, failure)
        out.write(data)
        hasher.update(data)
        return

    try:
        response = urllib.request.urlopen(origin, timeout=TIMEOUT)
    except urllib.error.HTTPError as e:
        raise failure(f"HTTP {e.code} {e.reason}") from None
    except urllib.error.URLError as e:
        raise failure(e.reason) from None
    except (OSError, http.client.HTTPException, ValueError) as e:
        raise failure(f"{type(e).__name__}: {e}") from None
    with response:
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else None
        bar = Progbar(total)
        done = 0
        try:
            while True:
                chunk = response.read(_CHUNK)
                if not chunk:
                    break
                out.write(chunk)
                hasher.update(chunk)
                done += len(chunk)
                if total is None or done < total:
                    bar.update(done)
        except (OSError, http.client.HTTPException) as e:
            raise failure(f"the connection broke after {done} bytes ({type(e).__name__}: {e})") from None
        if total is not None and done != total:
            raise failure(f"the server sent {done} of {total} bytes")
        bar.update(done, finalize=True)


def _fetch_in_browser(origin, failure):
    # Pyodide (JupyterLite) has no sockets, so urllib cannot reach http(s) URLs there. The kernel runs in a web
    # worker, where a synchronous XMLHttpRequest is allowed; the server must send CORS headers.
    try:
        from js import Uint8Array, XMLHttpRequest
    except ImportError as e:
        raise failure(f"no way to download in this Python ({e})") from None
    request = XMLHttpRequest.new()
    try:
        request.open("GET", origin, False)
        request.responseType = "arraybuffer"
        request.send(None)
    except Exception as e:  # a JsException: a network error or a cross-origin refusal
        reason = f"the browser refused the request ({e}); the server may not allow cross-origin requests"
        raise failure(reason) from None
    if request.status != 200:
        raise failure(f"HTTP {request.status} {request.statusText}")
    return bytes(Uint8Array.new(request.response).to_py())


# -- extracting ---------------------------------------------------------------------------------------------------
def _extract_archive(file_path, path, archive_format="auto"):
    """Extract ``file_path`` into the folder ``path`` if it is an archive of ``archive_format``.

    Returns whether it was. Every member is checked before anything is written, into a fresh temporary folder
    that replaces ``path`` only when extraction succeeded.
    """
    import tarfile
    import zipfile

    if archive_format is None:
        return False
    if archive_format == "auto":
        archive_format = ["tar", "zip"]
    if isinstance(archive_format, str):
        archive_format = [archive_format]
    for kind in archive_format:
        if kind not in ("tar", "zip"):
            raise ValueError(f"`archive_format` must be 'auto', 'tar', 'zip', a list of these, or None. "
                             f"Received: archive_format={kind!r}")
    for kind in archive_format:
        if kind == "tar" and tarfile.is_tarfile(file_path):
            with tarfile.open(file_path) as archive:
                members = archive.getmembers()
                _check_tar_members(members, file_path, path)
                _extract_into(path, _extract_tar, archive, members)
            return True
        if kind == "zip" and zipfile.is_zipfile(file_path):
            with zipfile.ZipFile(file_path) as archive:
                members = archive.infolist()
                _check_zip_members(members, file_path, path)
                _extract_into(path, _extract_zip, archive, members)
            return True
    return False


def _extract_zip(folder, archive, members):
    archive.extractall(folder, members=members)


def _extract_tar(folder, archive, members):
    import tarfile

    # The "data" filter (Python >= 3.12, backported to 3.10.12 and 3.11.4) repeats the checks above and also
    # drops set-uid bits; older Pythons rely on the checks alone.
    if hasattr(tarfile, "data_filter"):
        archive.extractall(folder, members=members, filter="data")
    else:  # pragma: no cover - old patch releases
        archive.extractall(folder, members=members)


def _extract_into(path, extract, *args):
    import shutil
    import tempfile

    parent = os.path.dirname(os.path.abspath(path))
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(dir=parent, prefix=f".{os.path.basename(path)}.", suffix=".partial")
    try:
        extract(tmp, *args)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        elif os.path.lexists(path):
            os.remove(path)
        os.replace(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


_DRIVE = re.compile(r"^[A-Za-z]:")


def _refuse(archive_path, name, why, path):
    return ValueError(
        f"Refusing to extract {archive_path}: its member {name!r} {why}, outside the folder {path}. "
        "Nothing was extracted. Only extract archives from sources you trust."
    )


def _walk(name, start=(), symlinks=frozenset()):
    """Resolve the archive path ``name`` (relative to the folder parts ``start``) without touching the disk.

    Returns the parts of the resolved path, ``None`` if it leaves the folder or is absolute, or ``"symlink"``
    if it passes through a symbolic link in the archive: past a link the lexical answer is no longer the real
    one (``link/..`` is the parent of the link's target, not of the link), so such paths are refused.
    """
    if name.startswith(("/", "\\")) or _DRIVE.match(name):
        return None
    parts = list(start)
    pieces = [p for p in re.split(r"[/\\]", name) if p not in ("", ".")]
    for i, piece in enumerate(pieces):
        if piece == "..":
            if not parts:
                return None
            parts.pop()
            continue
        parts.append(piece)
        if i < len(pieces) - 1 and tuple(parts) in symlinks:
            return "symlink"
    return tuple(parts)


def _check_tar_members(members, archive_path, path):
    symlinks = {_walk(m.name) for m in members if m.issym()}
    for m in members:
        parts = _walk(m.name, symlinks=symlinks)
        if parts is None:
            raise _refuse(archive_path, m.name, "would land", path)
        if parts == "symlink":
            raise _refuse(archive_path, m.name, "would be written through a symbolic link and could land", path)
        if not parts and not m.isdir():
            raise _refuse(archive_path, m.name, "names the extraction folder itself and could land", path)
        if m.issym():
            if m.linkname.startswith(("/", "\\")) or _DRIVE.match(m.linkname):
                raise _refuse(archive_path, m.name, f"is a symbolic link to the absolute path {m.linkname!r}", path)
            target = _walk(m.linkname, start=parts[:-1], symlinks=symlinks)
            if target is None or target == "symlink":
                raise _refuse(archive_path, m.name, f"is a symbolic link to {m.linkname!r}, which points", path)
        elif m.islnk():
            # A hard link's target is a path from the archive's root.
            target = _walk(m.linkname, symlinks=symlinks)
            if target is None or target == "symlink" or not target:
                raise _refuse(archive_path, m.name, f"is a hard link to {m.linkname!r}, which points", path)
        elif not (m.isfile() or m.isdir()):
            raise _refuse(archive_path, m.name, "is a device or pipe, which would not be plain data", path)


def _check_zip_members(members, archive_path, path):
    for info in members:
        parts = _walk(info.filename)
        if parts is None or (not parts and not info.is_dir()):
            raise _refuse(archive_path, info.filename, "would land", path)
