"""Regenerate ``kerasnb/datasets/data/digits.npz`` from scikit-learn's copy of the UCI optical digits.

The data is the UCI "Optical Recognition of Handwritten Digits" test set (1,797 images of 8x8 block counts,
values 0..16), by E. Alpaydin and C. Kaynak, CC BY 4.0, DOI 10.24432/C50P49, as shipped in scikit-learn's
package data (``sklearn/datasets/data/digits.csv.gz``: 64 pixel columns, then the label). Run::

    pip download scikit-learn --no-deps -d /tmp/skl
    python tools/make_digits.py /tmp/skl/scikit_learn-*.whl

Only the wheel is read (it is a zip file); scikit-learn is not installed or imported. The rows keep their
order, so the npz holds exactly the csv's values.
"""

import argparse
import gzip
import hashlib
import io
import os
import zipfile

import numpy as np

MEMBER = "sklearn/datasets/data/digits.csv.gz"
OUT = os.path.join(os.path.dirname(__file__), os.pardir, "kerasnb", "datasets", "data", "digits.npz")


def read_wheel(wheel):
    with zipfile.ZipFile(wheel) as archive:
        raw = gzip.decompress(archive.read(MEMBER))
    table = np.loadtxt(io.StringIO(raw.decode("ascii")), delimiter=",")
    if table.shape != (1797, 65) or table.min() < 0 or table[:, :64].max() > 16 or np.any(table != table.round()):
        raise SystemExit(f"unexpected content in {MEMBER}: shape {table.shape}")
    images = table[:, :64].astype(np.uint8).reshape(-1, 8, 8)
    labels = table[:, 64].astype(np.uint8)
    return images, labels, hashlib.sha256(raw).hexdigest()


def write_npz(path, **arrays):
    """``np.savez_compressed``, but byte-for-byte reproducible: fixed member dates, fixed compression level."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, array in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, buffer.getvalue(), compresslevel=9)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("wheel", help="a scikit-learn wheel (any platform; the csv is the same)")
    parser.add_argument("--out", default=OUT)
    args = parser.parse_args(argv)
    images, labels, csv_sha256 = read_wheel(args.wheel)
    write_npz(args.out, images=images, labels=labels)
    with open(args.out, "rb") as f:
        npz_sha256 = hashlib.sha256(f.read()).hexdigest()
    print(f"wrote {os.path.normpath(args.out)} ({os.path.getsize(args.out)} bytes): images {images.shape}, "
          f"labels per class {np.bincount(labels).tolist()}\n"
          f"sha256 of the csv {csv_sha256}\nsha256 of the npz {npz_sha256}")


if __name__ == "__main__":
    main()
