"""The simulator's accounts. These are simulator-only credentials, valid nowhere else.

The demo's project file (`demo_projects.json`) and the tests point projects at these.
"""

TALKSTACK_PROJECTS = {
    # projectId: api key (64 hex, as TalkStack's generate-apikey makes)
    "ts-proj-acme-0001": "5a" * 32,
    "ts-proj-globex-0002": "6b" * 32,
}
# Bearer tokens the simulator's TalkStack accepts (as if from POST /auth/login).
TALKSTACK_BEARER_TOKENS = {"sandbox-bearer-token-acme": "ts-proj-acme-0001"}

SIGNALWIRE_PROJECTS = {
    # project id (AccountSid, a UUID): api token
    "7c2a6e2e-4f6b-4d1e-9a43-0f3c2b1a5d01": "PTsandbox0000000000000000000000000000000000000001",
}

SINCH_APPLICATIONS = {
    # application key: application secret (base64, as Sinch issues them)
    "5d2a4f0e-8b1c-4c3d-9e7f-a1b2c3d4e5f6": "c2FuZGJveC1zaW5jaC1hcHBsaWNhdGlvbi1zZWNyZXQ=",
}

# Twilio accounts that TalkStack recordings belong to, and their auth tokens.
TWILIO_ACCOUNTS = {"AC" + "0" * 31 + "1": "sandbox-twilio-auth-token-1"}
