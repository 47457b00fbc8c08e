#!/usr/bin/env python3
"""Regenerate the bundled sample corpus (corpus/): deterministic filler text, configs and
code with planted FAKE secrets. Every planted token is obviously fake (FAKE/EXAMPLE
fillers, invalid checksums); none is a real credential."""
import os, random

random.seed(20240601)
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "corpus")
words = ("the quick brown fox jumps over lazy dog scanner engine pattern match offset "
         "buffer stream chunk state table kernel device queue worker ring slot batch "
         "secret token config value deploy service region bucket lambda build release").split()

def text(n):
    out, line = [], []
    for _ in range(n):
        line.append(random.choice(words))
        if len(line) > 10 and random.random() < 0.2:
            out.append(" ".join(line)); line = []
    out.append(" ".join(line))
    return "\n".join(out) + "\n"

fake = {
    "aws": "AKIAIOSFODNN7EXAMPLE",
    "aws_secret": "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "ghp": "ghp_" + "FAKE" * 9,
    "gho": "gho_" + "EXAMPLE0" * 4 + "FAKE",
    "ghs": "ghs_" + "0FAKE" * 7 + "X",
    "glpat": "glpat-" + "FAKEfakeFAKEfake0000",
    "slack": "xoxb-" + "000000000000-FAKEFAKEFAKE",
    "hook": "https://hooks.slack.com/services/T00000000/B00000000/" + "FAKEfakeFAKEfakeFAKEfake",
    "pem": "-----BEGIN RSA PRIVATE KEY-----\nTHIS/IS/NOT/A/REAL/KEY/FAKE+FAKE+FAKE\n-----END RSA PRIVATE KEY-----",
    "google": "AIza" + "FAKE_fake-FAKE_fake-FAKE_fake-FAKE0",
    "stripe": "sk_live_" + "FAKE" * 6,
    "twilio": "SK" + "0123456789abcdef" * 2,
    "sendgrid": "SG." + "FAKEfakeFAKEfakeFAKEfa" + "." + "FAKEfakeFAKEfakeFAKEfakeFAKEfakeFAKEfakeFAK",
    "npm": "npm_" + "FAKE" * 9,
    "mailgun": "key-" + "0fake" * 6 + "00",
    "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJmYWtlIn0.ZmFrZS1zaWduYXR1cmUtbm90LXJlYWw",
    "generic": "api_key: \"FAKE0fake1FAKE2fake3\"",
    "url": "postgres://admin:notapassword@db.example.invalid",
}

def write(rel, body):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(body)

write("README.txt", "Sample corpus for vyre-scan. Every secret in here is FAKE.\n" + text(300))
write("notes/clean.txt", text(2000))
write("notes/meeting.md", text(400) + "\nthe deploy key is " + fake["aws"] + " (example from the docs)\n" + text(400))
write("config/app.env", "REGION=eu-west-1\nGITHUB_TOKEN=" + fake["ghp"] + "\nSTRIPE=" + fake["stripe"] + "\n"
      + fake["aws_secret"] + "\nDATABASE_URL=" + fake["url"] + "\n")
write("config/settings.yaml", "service:\n  name: scanner\n  " + fake["generic"] + "\n  slack: " + fake["slack"]
      + "\n  webhook: " + fake["hook"] + "\n  sendgrid: " + fake["sendgrid"] + "\n")
write("src/client.py", "import os\n\n# FAKE credentials for tests\nTOKEN = '" + fake["gho"] + "'\nGOOGLE = '"
      + fake["google"] + "'\nAPP = '" + fake["ghs"] + "'\n" + "".join("def f%d(x):\n    return x + %d\n" % (i, i) for i in range(200)))
write("src/deploy.sh", "#!/bin/sh\nexport NPM_TOKEN=" + fake["npm"] + "\nexport GL=" + fake["glpat"]
      + "\nexport TWILIO=" + fake["twilio"] + "\nexport MG=" + fake["mailgun"] + "\n" + text(100))
write("keys/id_rsa.txt", fake["pem"] + "\n")
# More services (rules added with DFA groups): every value is a placeholder.
cloud = {
    "OPENAI_API_KEY": "sk-" + "FAKE" * 5 + "T3BlbkFJ" + "fake" * 5,
    "ANTHROPIC_API_KEY": "sk-ant-api03-" + "FAKE-fake_" * 9 + "FAK" + "AA",
    "HF_TOKEN": "hf_" + "FAKEfake" * 4 + "XX",
    "DIGITALOCEAN_TOKEN": "dop_v1_" + "0123456789abcdef" * 4,
    "SHOPIFY_TOKEN": "shpat_" + "0123456789abcdef" * 2,
    "DOCKERHUB_TOKEN": "dckr_pat_" + "FAKE-fake_" * 2 + "FAKEfak",
    "PYPI_TOKEN": "pypi-AgEIcHlwaS5vcmc" + "FAKE_fake-" * 5,
    "SENTRY_DSN": "https://" + "0123456789abcdef" * 2 + "@o000000.ingest.sentry.io/0",
    "STRIPE_WEBHOOK": "whsec_" + "FAKE" * 8,
    "NEW_RELIC_KEY": "NRAK-" + "FAKE" * 6 + "XYZ",
}
write("config/cloud.env", "".join("%s=%s\n" % kv for kv in cloud.items()))
write("logs/server.log", "".join("2024-06-01T00:%02d:%02d INFO request ok bytes=%d\n" % (i // 60 % 60, i % 60, i * 7)
                                 for i in range(3000)) + "auth header Bearer " + fake["jwt"] + "\n" + text(500))
