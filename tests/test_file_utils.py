"""``keras.utils.get_file`` against a real HTTP server on 127.0.0.1: caching, hashes, failures, archives.

No test reaches past 127.0.0.1; ``KERAS_HOME`` points at a temporary folder, so the user's cache is untouched.
"""

import hashlib
import io
import os
import socket
import tarfile
import time
import zipfile

import pytest

import kerasnb as keras
from kerasnb.utils import file_utils
from kerasnb.utils.file_utils import DownloadError, get_file


@pytest.fixture
def server(http_server):
    return http_server  # tests/conftest.py: a real HTTP server on 127.0.0.1


@pytest.fixture
def home(tmp_path, monkeypatch):
    folder = tmp_path / "keras_home"
    monkeypatch.setenv("KERAS_HOME", str(folder))
    return folder


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def _files_under(folder):
    return sorted(os.path.relpath(os.path.join(d, f), folder) for d, _, fs in os.walk(folder) for f in fs)


# -- downloading and caching ------------------------------------------------------------------------------------
def test_download_then_cache_hit_makes_no_request(server, home, capsys):
    data = os.urandom(3000)
    url = server.add("blob.bin", data)
    path = get_file("blob.bin", origin=url, file_hash=sha256(data))
    assert path == str(home / "datasets" / "blob.bin")
    assert open(path, "rb").read() == data
    assert "Downloading data from " + url in capsys.readouterr().out
    assert get_file("blob.bin", origin=url, file_hash=sha256(data)) == path
    assert server.count("blob.bin") == 1
    assert _files_under(home) == [os.path.join("datasets", "blob.bin")]  # no temporary file left behind


def test_name_from_url_md5_and_exported_names(server, home):
    data = b"hello"
    url = server.add("greeting.txt", data)
    assert keras.utils.get_file is get_file
    path = keras.utils.get_file(origin=url, md5_hash=hashlib.md5(data).hexdigest())
    assert os.path.basename(path) == "greeting.txt"
    path2 = get_file(origin=url, file_hash=hashlib.md5(data).hexdigest(), hash_algorithm="md5")
    assert path2 == path and server.count("greeting.txt") == 1


def test_cache_dir_and_absolute_cache_subdir(server, tmp_path, home):
    url = server.add("a.txt", b"a")
    assert get_file("a.txt", origin=url, cache_dir=str(tmp_path / "c"), cache_subdir="sub") == str(
        tmp_path / "c" / "sub" / "a.txt"
    )
    assert get_file("a.txt", origin=url, cache_subdir=str(tmp_path / "abs")) == str(tmp_path / "abs" / "a.txt")


def test_stale_cached_file_is_downloaded_again(server, home, capsys):
    data = b"the right content"
    url = server.add("f.txt", data)
    os.makedirs(home / "datasets")
    (home / "datasets" / "f.txt").write_bytes(b"an older version")
    path = get_file("f.txt", origin=url, file_hash=sha256(data))
    assert open(path, "rb").read() == data
    assert "does not match" in capsys.readouterr().out
    assert server.count("f.txt") == 1


def test_cached_file_without_hash_is_trusted_and_force_download_refetches(server, home):
    url = server.add("f.txt", b"new")
    os.makedirs(home / "datasets")
    (home / "datasets" / "f.txt").write_bytes(b"old")
    assert open(get_file("f.txt", origin=url), "rb").read() == b"old"
    assert server.count("f.txt") == 0
    assert open(get_file("f.txt", origin=url, force_download=True), "rb").read() == b"new"


def test_hash_mismatch_raises_and_leaves_no_file(server, home):
    url = server.add("bad.bin", b"not what you expected")
    wanted = "0" * 64
    with pytest.raises(ValueError) as info:
        get_file("bad.bin", origin=url, file_hash=wanted)
    message = str(info.value)
    assert url in message and wanted in message and sha256(b"not what you expected") in message
    assert _files_under(home) == []


def test_connection_dropped_mid_file_leaves_nothing_and_a_retry_works(server, home):
    data = os.urandom(50_000)
    url = server.add("big.bin", data)
    server.truncated.add("/big.bin")
    with pytest.raises(DownloadError) as info:
        get_file("big.bin", origin=url)
    assert url in str(info.value)
    assert _files_under(home) == []
    server.truncated.clear()
    path = get_file("big.bin", origin=url, file_hash=sha256(data))
    assert open(path, "rb").read() == data


def test_404_fails_fast_naming_url_and_cache_path(server, home):
    url = f"{server.url}/missing.npz"
    start = time.monotonic()
    with pytest.raises(DownloadError) as info:
        get_file("missing.npz", origin=url)
    assert time.monotonic() - start < 5
    message = str(info.value)
    assert url in message and "404" in message
    assert str(home / "datasets" / "missing.npz") in message
    assert isinstance(info.value, OSError)
    assert _files_under(home) == []


@pytest.mark.needs_sockets
def test_unreachable_server_fails_within_seconds(home):
    with socket.socket() as s:  # a port that nothing listens on once this socket is closed
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/mnist.npz"
    start = time.monotonic()
    with pytest.raises(DownloadError) as info:
        get_file("mnist.npz", origin=url)
    assert time.monotonic() - start < 5
    assert url in str(info.value) and str(home / "datasets" / "mnist.npz") in str(info.value)
    assert _files_under(home) == []


def test_file_url_works_as_a_local_mirror(tmp_path, home):
    source = tmp_path / "share" / "data.csv"
    source.parent.mkdir()
    source.write_bytes(b"1,2,3\n")
    path = get_file(origin=source.as_uri(), file_hash=sha256(b"1,2,3\n"))
    assert open(path, "rb").read() == b"1,2,3\n"


def test_read_only_cache_holding_the_file_is_used(tmp_path, monkeypatch, home):
    shared = tmp_path / "class_cache"
    (shared / "datasets").mkdir(parents=True)
    (shared / "datasets" / "x.bin").write_bytes(b"shared")
    monkeypatch.setattr(file_utils, "_writable_folder", lambda path: not path.startswith(str(shared)))
    path = get_file("x.bin", origin="http://127.0.0.1:9/x.bin", cache_dir=str(shared), file_hash=sha256(b"shared"))
    assert path == str(shared / "datasets" / "x.bin")


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"origin": None}, "origin"),
        ({"fname": "sub/file.txt", "origin": "http://127.0.0.1:9/f"}, "fname"),
        ({"origin": "http://127.0.0.1:9/"}, "fname"),
        ({"origin": "http://127.0.0.1:9/f", "file_hash": "ab", "hash_algorithm": "sha1"}, "hash_algorithm"),
    ],
)
def test_bad_arguments_are_named(home, kwargs, match):
    with pytest.raises(ValueError, match=match):
        get_file(**kwargs)


def test_hash_helpers(tmp_path):
    path = tmp_path / "x"
    path.write_bytes(b"abc")
    assert file_utils.hash_file(str(path)) == sha256(b"abc")
    assert file_utils.hash_file(str(path), "md5") == hashlib.md5(b"abc").hexdigest()
    assert file_utils.validate_file(str(path), sha256(b"abc").upper())
    assert not file_utils.validate_file(str(path), hashlib.md5(b"abd").hexdigest())


# -- archives ---------------------------------------------------------------------------------------------------
def _tar(entries, mode="w:gz"):
    """A tar archive from ``(name, kind, payload)``: kind "file" (bytes), "dir", "sym" or "link" (target)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as archive:
        for name, kind, payload in entries:
            info = tarfile.TarInfo(name)
            if kind == "file":
                info.size = len(payload)
                archive.addfile(info, io.BytesIO(payload))
                continue
            info.type = {"dir": tarfile.DIRTYPE, "sym": tarfile.SYMTYPE, "link": tarfile.LNKTYPE}[kind]
            if kind == "dir":
                info.mode = 0o755
            else:
                info.linkname = payload
            archive.addfile(info)
    return buffer.getvalue()


def _zip(entries):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, payload in entries:
            archive.writestr(name, payload)
    return buffer.getvalue()


_GOOD = [("pkg", "dir", None), ("pkg/a.txt", "file", b"A"), ("pkg/sub/b.txt", "file", b"B"),
         ("pkg/link", "sym", "a.txt")]


@pytest.mark.parametrize("mode", ["w:gz", "w:bz2", "w:xz", "w"])
def test_extract_tar_returns_keras_extraction_folder(server, home, mode):
    data = _tar(_GOOD, mode)
    url = server.add("bundle.tar.gz", data)
    folder = get_file("bundle.tar.gz", origin=url, extract=True, file_hash=sha256(data))
    # Keras 3: fname with a dot keeps the archive under fname and extracts into <stem>_extracted.
    assert folder == str(home / "datasets" / "bundle_extracted")
    assert (home / "datasets" / "bundle.tar.gz").read_bytes() == data
    assert open(os.path.join(folder, "pkg", "sub", "b.txt"), "rb").read() == b"B"
    assert os.readlink(os.path.join(folder, "pkg", "link")) == "a.txt"
    # A second call neither downloads nor extracts again.
    os.remove(os.path.join(folder, "pkg", "a.txt"))
    assert get_file("bundle.tar.gz", origin=url, extract=True, file_hash=sha256(data)) == folder
    assert server.count("bundle.tar.gz") == 1
    assert not os.path.exists(os.path.join(folder, "pkg", "a.txt"))


def test_extract_naming_without_dot_and_without_fname_and_untar(server, home):
    data = _tar(_GOOD)
    url = server.add("thing.tgz", data)
    folder = get_file("thing", origin=url, untar=True)
    assert folder == str(home / "datasets" / "thing")
    assert (home / "datasets" / "thing_archive").read_bytes() == data
    folder = get_file(origin=url, extract=True)
    assert folder == str(home / "datasets" / "thing.tgz")
    assert (home / "datasets" / "thing.tgz_archive").read_bytes() == data
    assert os.path.isfile(os.path.join(folder, "pkg", "a.txt"))


def test_extract_zip_and_archive_format_choice(server, home):
    data = _zip([("top/x.txt", b"X"), ("top/y/z.txt", b"Z")])
    url = server.add("z.zip", data)
    folder = get_file("z.zip", origin=url, extract=True)
    assert open(os.path.join(folder, "top", "y", "z.txt"), "rb").read() == b"Z"
    with pytest.warns(UserWarning, match="Could not extract"):
        get_file("z2.zip", origin=url, extract=True, archive_format="tar")
    with pytest.raises(ValueError, match="archive_format"):
        get_file("z3.zip", origin=url, extract=True, archive_format="rar")


_EVIL_TARS = {  # case -> (members, the member that must be named in the error)
    "dotdot": ([("ok.txt", "file", b"fine"), ("../evil", "file", b"x")], "../evil"),
    "nested-dotdot": ([("a/../../evil", "file", b"x")], "a/../../evil"),
    "absolute": ([("/tmp/kerasnb-evil-absolute", "file", b"x")], "/tmp/kerasnb-evil-absolute"),
    "symlink-out": ([("ok.txt", "file", b"fine"), ("escape", "sym", "../../..")], "escape"),
    "symlink-absolute": ([("escape", "sym", "/etc/passwd")], "escape"),
    # d -> . is harmless, but writing d/evil goes through a link: refused, as paths past a link can't be judged.
    "write-through-symlink": ([("d", "sym", "."), ("d/evil", "file", b"x")], "d/evil"),
    # t -> s/.. reads as the folder itself, but s is a link to the folder, so s/.. is its parent.
    "symlink-via-symlink": ([("s", "sym", "."), ("t", "sym", "s/..")], "t"),
    "hardlink-out": ([("ok.txt", "file", b"fine"), ("h", "link", "../outside.txt")], "h"),
}


@pytest.mark.parametrize("case", sorted(_EVIL_TARS))
def test_tar_member_escaping_the_folder_is_refused_before_anything_is_extracted(server, home, tmp_path, case):
    entries, bad = _EVIL_TARS[case]
    url = server.add(f"{case}.tar.gz", _tar(entries))
    with pytest.raises(ValueError) as info:
        get_file(f"{case}.tar.gz", origin=url, extract=True)
    assert repr(bad) in str(info.value) and "Nothing was extracted" in str(info.value)
    datasets = home / "datasets"
    assert sorted(os.listdir(datasets)) == [f"{case}.tar.gz"]  # only the archive: no folder, no temporaries
    assert not os.path.lexists(home / "evil") and not os.path.lexists("/tmp/kerasnb-evil-absolute")


def test_zip_member_escaping_the_folder_is_refused(server, home):
    url = server.add("evil.zip", _zip([("fine.txt", b"ok"), ("../evil", b"x")]))
    with pytest.raises(ValueError, match=r"'\.\./evil'"):
        get_file("evil.zip", origin=url, extract=True)
    assert sorted(os.listdir(home / "datasets")) == ["evil.zip"]
    url = server.add("abs.zip", _zip([("/abs/evil", b"x")]))
    with pytest.raises(ValueError, match="/abs/evil"):
        get_file("abs.zip", origin=url, extract=True)


def test_interrupted_download_leaves_nothing(server, home, monkeypatch):
    url = server.add("slow.bin", os.urandom(200_000))

    def interrupt(self, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("kerasnb.utils.progbar.Progbar.update", interrupt)
    with pytest.raises(KeyboardInterrupt):
        get_file("slow.bin", origin=url)
    assert _files_under(home) == []


def test_browser_download_path_with_a_stand_in_for_javascript(home, monkeypatch):
    # In Pyodide urllib has no sockets, so get_file uses a synchronous XMLHttpRequest; here a fake `js` module.
    import sys
    import types

    data = b"bytes from the browser"
    seen = {}

    class FakeRequest:
        @staticmethod
        def new():
            return FakeRequest()

        def open(self, method, url, asynchronous):
            seen.update(method=method, url=url, asynchronous=asynchronous)

        def send(self, body):
            self.status, self.statusText, self.response = (200, "OK", data) if "good" in seen["url"] else (
                404, "Not Found", None)

    fake_js = types.ModuleType("js")
    fake_js.XMLHttpRequest = FakeRequest
    fake_js.Uint8Array = types.SimpleNamespace(new=lambda buffer: types.SimpleNamespace(to_py=lambda: buffer))
    monkeypatch.setitem(sys.modules, "js", fake_js)
    monkeypatch.setattr(sys, "platform", "emscripten")
    path = get_file(origin="https://example.invalid/good.bin", file_hash=sha256(data))
    assert open(path, "rb").read() == data and seen == {"method": "GET", "url": "https://example.invalid/good.bin",
                                                         "asynchronous": False}
    with pytest.raises(DownloadError, match="HTTP 404"):
        get_file(origin="https://example.invalid/bad.bin")
    assert _files_under(home) == [os.path.join("datasets", "good.bin")]
