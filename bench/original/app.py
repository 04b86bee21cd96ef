#!/usr/bin/python3
# File: bench/original/app.py
#
# A minimal stand-in for the original demo's Flask app, for scripts/bench's
# side-by-side figures. It mirrors the original's *behaviour* (seed-app.md
# sections 4, 5.1, 6.9, 6.10, 6.15, 6.22, 7), not its code:
#   - Flask's development server, threaded (app.run(threaded=True)), plain HTTP;
#   - record protection: RSA-OAEP with SHA-256 and MGF1-SHA-256, empty label,
#     directly under the "released" RSA-2048 key, each CSV field encrypted
#     separately, standard base64 with padding, an empty cell stored as null;
#   - records in a local JSON file (2-space indent), populated at start-up
#     from the party's CSV (the original's auto-initialisation);
#   - GET /company/list decrypts every field of every record (one RSA private
#     operation per field): what the original's decrypted view and analysis
#     cost (its UI called POST /decrypt per field; the analysis decrypted all
#     ten fields of every record).
# The key is generated here at start-up (it stands in for the key the original
# released through its sidecar) and parsed once, so each request pays only the
# RSA operations: the original's best case.
#
# Usage: /usr/bin/python3 bench/original/app.py --csv FILE --port P [--data-dir DIR]
# Needs Debian's python3-flask and python3-cryptography (scripts/deps bench).
# Routes: GET /health, POST /encrypt {plaintext}, POST /decrypt {ciphertext},
#         GET /company/list. Errors answer {"status": "error", "message"}.
import argparse
import base64
import csv
import datetime
import json
import os
import tempfile

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from flask import Flask, jsonify, request

FIELDS = ["name", "phone", "address", "postal_code", "city", "country",
          "age", "salary", "eye_color", "favorite_color"]
OAEP = padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA256()),
                    algorithm=hashes.SHA256(), label=None)

app = Flask(__name__)
state = {"key": None, "file": None, "company": "contoso"}


def encrypt_field(value):
    if value is None or value == "":
        return None
    ct = state["key"].public_key().encrypt(str(value).encode("utf-8"), OAEP)
    return base64.b64encode(ct).decode("ascii")


def decrypt_field(b64):
    if b64 is None:
        return None
    try:
        return state["key"].decrypt(base64.b64decode(b64), OAEP).decode("utf-8")
    except Exception:  # the original turns a failed field into null
        return None


def populate(csv_path):
    with open(csv_path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    records = []
    for row in rows:
        rec = {"timestamp": datetime.datetime.utcnow().isoformat() + "Z",
               "company": state["company"]}
        for field in FIELDS:
            rec[field + "_encrypted"] = encrypt_field(row.get(field))
        records.append(rec)
    with open(state["file"], "w", encoding="utf-8") as f:
        json.dump(records, f, indent=2)
    return len(records)


@app.route("/health")
def health():
    return jsonify({"status": "healthy", "service": "confidential-aci-attestation-demo"})


@app.route("/encrypt", methods=["POST"])
def encrypt():
    body = request.get_json(silent=True) or {}
    plaintext = body.get("plaintext", "")
    if not plaintext:
        return jsonify({"status": "error", "message": "No plaintext provided"}), 400
    data = plaintext.encode("utf-8")
    max_length = state["key"].key_size // 8 - 66
    if len(data) > max_length:
        return jsonify({"status": "error",
                        "message": f"Plaintext too long. Maximum {max_length} bytes for this key size."}), 400
    ct = encrypt_field(plaintext)
    return jsonify({"status": "success", "ciphertext": ct, "algorithm": "RSA-OAEP-SHA256",
                    "key_id": "bench", "plaintext_length": len(data), "ciphertext_length": len(ct)})


@app.route("/decrypt", methods=["POST"])
def decrypt():
    body = request.get_json(silent=True) or {}
    ciphertext = body.get("ciphertext", "")
    if not ciphertext:
        return jsonify({"status": "error", "message": "No ciphertext provided"}), 400
    try:
        plaintext = state["key"].decrypt(base64.b64decode(ciphertext), OAEP).decode("utf-8")
    except Exception as e:
        return jsonify({"status": "error", "message": f"Decryption failed: {e}"}), 500
    return jsonify({"status": "success", "plaintext": plaintext, "algorithm": "RSA-OAEP-SHA256",
                    "ciphertext_length": len(ciphertext), "plaintext_length": len(plaintext)})


@app.route("/company/list")
def company_list():
    with open(state["file"], encoding="utf-8") as f:
        records = json.load(f)
    out = []
    for i, rec in enumerate(records, start=1):
        plain = {"line_number": i, "timestamp": rec["timestamp"], "company": rec["company"]}
        for field in FIELDS:
            plain[field] = decrypt_field(rec.get(field + "_encrypted"))
        out.append(plain)
    return jsonify({"status": "success", "company": state["company"], "local_file": state["file"],
                    "record_count": len(out), "records": out, "key_released": True,
                    "storage_type": "local"})


@app.route("/company/encrypted")
def company_encrypted():
    """The stored records as they are (ciphertext): scripts/bench takes a field to decrypt."""
    with open(state["file"], encoding="utf-8") as f:
        return jsonify(json.load(f))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--csv", required=True, help="the party's CSV (header row, 10 fields)")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--data-dir", default=None, help="where the encrypted JSON file goes")
    args = parser.parse_args()
    data_dir = args.data_dir or tempfile.mkdtemp(prefix="bench-original-")
    state["file"] = os.path.join(data_dir, state["company"] + "-encrypted.json")
    state["key"] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    count = populate(args.csv)
    print(f"original: {count} records in {state['file']}", flush=True)
    app.run(host=args.host, port=args.port, threaded=True, debug=False)


if __name__ == "__main__":
    main()
