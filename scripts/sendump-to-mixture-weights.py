#!/usr/bin/env python3
"""Writes a PocketSphinx model's compressed mixture weights (`sendump`) as the full
`mixture_weights` file sphinxtrain's bw and map_adapt read. Debian's en-us model ships only
the sendump. Standard library only.

Usage: sendump-to-mixture-weights.py MODEL/sendump OUT/mixture_weights
"""
import struct
import sys
from array import array


def read_string(stream):
    length = struct.unpack("<I", stream.read(4))[0]
    return stream.read(length)[:-1].decode() if length else None


def read_sendump(path):
    with open(path, "rb") as stream:
        read_string(stream)  # the format's title
        header = {}
        while (line := read_string(stream)) is not None:
            key, _, value = line.partition(" ")
            header[key] = value
        if int(header.get("cluster_count", "0")) != 0:
            sys.exit("clustered sendump files are not supported")
        features = int(header["feature_count"])
        mixw_shift = int(header.get("mixw_shift", "10"))
        codewords, senones = struct.unpack("<II", stream.read(8))
        # One byte per (feature, codeword, senone): -log base 1.0001 of the weight, shifted down.
        data = stream.read(features * codewords * senones)
        if len(data) != features * codewords * senones:
            sys.exit(f"{path}: truncated ({len(data)} of {features * codewords * senones} weight bytes)")
    return features, codewords, senones, mixw_shift, data


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    features, codewords, senones, shift, data = read_sendump(sys.argv[1])
    power = [1.0001 ** -(value << shift) for value in range(256)]
    # mixture_weights is senone × feature × codeword.
    weights = array("f", bytes(4 * senones * features * codewords))
    for feature in range(features):
        for codeword in range(codewords):
            row = (feature * codewords + codeword) * senones
            for senone in range(senones):
                weights[(senone * features + feature) * codewords + codeword] = power[data[row + senone]]
    with open(sys.argv[2], "wb") as out:
        header = b"s3\nversion 1.0\n"
        padding = (4 - (len(header) + len(b"endhdr\n")) % 4) % 4
        out.write(header + b" " * padding + b"endhdr\n")
        out.write(struct.pack("=i", 0x11223344))
        out.write(struct.pack("=IIII", senones, features, codewords, senones * features * codewords))
        weights.tofile(out)
    print(f"mixture weights: {senones} senones × {features} streams × {codewords} codewords → {sys.argv[2]}")


if __name__ == "__main__":
    main()
