"""The secrets catalogue behind DS507: credential formats that providers document, as data.

Each ``Secret`` names one format: the provider's documented shape as a regular expression, the
literal ``hints`` that every such token contains (one fast scan of the text for all hints finds
the few places worth matching), an optional structure check (GitHub's and npm's CRC32 suffix, a
JWT header that decodes, a PyPI macaroon's location), a default severity, and examples that
tests/checks/test_secrets.py runs. Examples are templates, expanded with seeded random characters
at test time so that no secret-shaped literal sits in the repository: ``{m36}`` is 36 characters
of alphabet ``m`` (see ``ALPHABETS``), ``{crc}`` the base62 CRC32 of the random part before it.

Placeholders are never findings (``is_placeholder``): runs of one character, ``x``/``X``/``0``
fillers, sequences (``1234567890``, ``abcdef``), and words such as EXAMPLE, SAMPLE, DUMMY,
RANDOM, YOUR_, except the documented example keys listed in ``DOCUMENTED_EXAMPLES``, which are
reported as warnings. Every pattern is linear: bounded repetitions, no nested quantifiers, and it
is only tried at a bounded number of positions around each hint.
"""

from __future__ import annotations

import base64
import binascii
import random
import re
import string
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal

import orjson

from dslint.detect import validators as v

BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
ALPHABETS = {
    "m": string.ascii_letters + string.digits,  # mixed-case alphanumeric
    "l": string.ascii_letters,
    "a": string.ascii_lowercase + string.digits,
    "A": string.ascii_uppercase + string.digits,
    "h": "0123456789abcdef",
    "H": "0123456789ABCDEF",
    "b": string.ascii_letters + string.digits + "_-",  # base64url
    "s": string.ascii_letters + string.digits + "+/",  # base64
    "d": string.digits,
    "u": string.ascii_uppercase + "234567",  # base32
    "Z": "qpzry9x8gf2tvdw0s3jn54khce6mua7l".upper(),  # bech32
}


# --- structure checks ------------------------------------------------------------------------


def base62_crc32(data: str) -> str:
    """The six-character base62 CRC32 that GitHub and npm append to their tokens."""
    n = zlib.crc32(data.encode())
    out = ""
    while n:
        n, r = divmod(n, 62)
        out = BASE62[r] + out
    return out.rjust(6, "0")


def _crc_suffix_ok(token: str) -> bool:
    """ghp_/gho_/ghu_/ghs_/ghr_/npm_: 30 random base62 characters, then their CRC32."""
    body = token[4:]
    return base62_crc32(body[:-6]) == body[-6:]


def _jwt_ok(token: str) -> bool:
    return v.jwt_ok(token)


def _pypi_ok(token: str) -> bool:
    """A PyPI token is a macaroon whose base64 body names pypi.org (or test.pypi.org)."""
    body = token[5:]
    try:
        decoded = base64.urlsafe_b64decode(body[:60] + "=" * (-len(body[:60]) % 4))
    except (binascii.Error, ValueError):
        return False
    return b"pypi.org" in decoded


def _mixed(token: str) -> bool:
    """Random keys mix upper case, lower case and digits (Hugging Face's: upper and lower case)."""
    tail = token.split("_", 1)[-1]
    return any(c.islower() for c in tail) and any(c.isupper() for c in tail)


def _mixed_digits(token: str) -> bool:
    return v.mixed_token(token.split("-", 1)[-1])


CHECKS: dict[str, Callable[[str], bool]] = {
    "crc32": _crc_suffix_ok,
    "jwt": _jwt_ok,
    "pypi-macaroon": _pypi_ok,
    "mixed-case": _mixed,
    "mixed-case-digits": _mixed_digits,
}


# --- the catalogue ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Secret:
    id: str
    label: str
    hints: tuple[str, ...]  # literal text every token of the format contains
    pattern: str  # the documented shape; group "v", if any, is the secret part
    examples: tuple[str, ...]  # templates that must be found
    negatives: tuple[str, ...] = ()  # templates that must not be found
    before: int = 0  # how many characters of the token may precede its hint
    check: str | None = None  # a key of CHECKS
    severity: Literal["error", "warning"] = "error"
    category: str = ""  # "test": a test-mode key, reported as a warning
    regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        bounded = rf"(?<![A-Za-z0-9_-])(?:{self.pattern})(?![A-Za-z0-9_-])"
        object.__setattr__(self, "regex", re.compile(bounded))


S = Secret
CATALOGUE: tuple[Secret, ...] = (
    # --- cloud -------------------------------------------------------------------------------
    S("aws-access-key-id", "AWS access key ID", ("AKIA", "ASIA", "ABIA", "ACCA"),
      r"(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}", ("AKIA{u16}", "ASIA{u16}"), ("AKIA{u12}", "AKIA{a16}")),
    S("aws-secret-access-key", "AWS secret access key", ("aws_secret_access_key", "AWS_SECRET_ACCESS_KEY", "SecretAccessKey"),
      r"(?:aws_secret_access_key|AWS_SECRET_ACCESS_KEY|SecretAccessKey)[\"']?[ \t]{0,3}[=:][ \t]{0,3}[\"']?(?P<v>[A-Za-z0-9/+]{40})",
      ("aws_secret_access_key = {s40}", 'AWS_SECRET_ACCESS_KEY="{s40}"'), ("aws_secret_access_key = {s30}",)),
    S("google-api-key", "Google API key", ("AIza",), r"AIza[0-9A-Za-z_-]{35}", ("AIza{b35}",), ("AIza{b20}",)),
    S("google-oauth-client-secret", "Google OAuth client secret", ("GOCSPX-",), r"GOCSPX-[A-Za-z0-9_-]{28}", ("GOCSPX-{b28}",)),
    S("google-oauth-access-token", "Google OAuth access token", ("ya29.",), r"ya29\.[0-9A-Za-z_-]{30,1000}", ("ya29.{b120}",), ("ya29.{b10}",)),
    S("azure-storage-account-key", "Azure storage account key", ("AccountKey=",), r"AccountKey=(?P<v>[A-Za-z0-9+/]{86}==)",
      ("DefaultEndpointsProtocol=https;AccountName=acme;AccountKey={s86}==;EndpointSuffix=core.windows.net",)),
    S("azure-ad-client-secret", "Microsoft Entra ID client secret", ("Q~",), r"[A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34}",
      ("{m3}8Q~{m34}",), before=4),
    S("digitalocean-token", "DigitalOcean token", ("dop_v1_", "doo_v1_", "dor_v1_"), r"do[opr]_v1_[a-f0-9]{64}", ("dop_v1_{h64}", "doo_v1_{h64}")),
    S("alibaba-access-key-id", "Alibaba Cloud AccessKey ID", ("LTAI",), r"LTAI[A-Za-z0-9]{12,20}", ("LTAI{m20}",), check="mixed-case"),
    S("tencent-secret-id", "Tencent Cloud SecretId", ("AKID",), r"AKID[A-Za-z0-9]{32}", ("AKID{m32}",), check="mixed-case"),
    S("heroku-api-key", "Heroku API key", ("HRKU-",), r"HRKU-[A-Za-z0-9_-]{20,80}", ("HRKU-{b60}",)),
    S("flyio-token", "Fly.io access token", ("fo1_",), r"fo1_[A-Za-z0-9_-]{43}", ("fo1_{b43}",)),
    S("netlify-token", "Netlify personal access token", ("nfp_",), r"nfp_[A-Za-z0-9]{36}", ("nfp_{m36}",)),
    S("doppler-token", "Doppler token", ("dp.pt.", "dp.st.", "dp.ct.", "dp.sa.", "dp.scim.", "dp.audit."),
      r"dp\.(?:pt|st|ct|sa|scim|audit)\.[A-Za-z0-9]{40,44}", ("dp.pt.{m43}", "dp.st.{m43}")),
    S("vault-token", "HashiCorp Vault token", ("hvs.", "hvb.", "hvr."), r"hv[sbr]\.[A-Za-z0-9_-]{24,400}", ("hvs.{b90}",)),
    S("terraform-cloud-token", "Terraform Cloud API token", (".atlasv1.",), r"[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70}",
      ("{m14}.atlasv1.{b67}",), before=14),
    S("pulumi-token", "Pulumi access token", ("pul-",), r"pul-[a-f0-9]{40}", ("pul-{h40}",)),
    S("databricks-token", "Databricks personal access token", ("dapi",), r"dapi[a-f0-9]{32}(?:-[0-9])?", ("dapi{h32}", "dapi{h32}-2")),
    S("supabase-token", "Supabase access token", ("sbp_",), r"sbp_[a-f0-9]{40}", ("sbp_{h40}",)),
    S("planetscale-token", "PlanetScale token or password", ("pscale_tkn_", "pscale_pw_", "pscale_oauth_"),
      r"pscale_(?:tkn|pw|oauth)_[A-Za-z0-9_.-]{32,64}", ("pscale_tkn_{b43}", "pscale_pw_{b43}")),
    S("tailscale-key", "Tailscale key", ("tskey-",), r"tskey-(?:api|auth|client|webhook)-[A-Za-z0-9]{10,20}-[A-Za-z0-9]{20,40}",
      ("tskey-auth-{m11}CNTRL-{m33}", "tskey-api-{m12}-{m30}")),
    S("onepassword-service-token", "1Password service account token", ("ops_eyJ",), r"ops_eyJ[A-Za-z0-9+/=_-]{250,1000}", ("ops_eyJ{s300}",)),
    S("age-secret-key", "age secret key", ("AGE-SECRET-KEY-1",), r"AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}",
      ("AGE-SECRET-KEY-1{Z58}",)),
    # --- observability and developer platforms --------------------------------------------
    S("grafana-cloud-token", "Grafana Cloud token", ("glc_",), r"glc_[A-Za-z0-9+/]{32,400}={0,2}", ("glc_{s120}",)),
    S("grafana-service-account-token", "Grafana service account token", ("glsa_",), r"glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}", ("glsa_{m32}_{h8}",)),
    S("new-relic-user-key", "New Relic user API key", ("NRAK-",), r"NRAK-[A-Z0-9]{27}", ("NRAK-{A27}",)),
    S("sentry-token", "Sentry auth token", ("sntrys_", "sntryu_"), r"sntrys_eyJ[A-Za-z0-9+/=_-]{60,400}|sntryu_[a-f0-9]{64}",
      ("sntrys_eyJ{s120}", "sntryu_{h64}")),
    S("dynatrace-token", "Dynatrace API token", ("dt0c01.",), r"dt0c01\.[A-Z0-9]{24}\.[A-Z0-9]{64}", ("dt0c01.{A24}.{A64}",)),
    S("linear-api-key", "Linear API key", ("lin_api_",), r"lin_api_[A-Za-z0-9]{40}", ("lin_api_{m40}",)),
    S("notion-token", "Notion integration token", ("ntn_",), r"ntn_[0-9]{11}[A-Za-z0-9]{35}", ("ntn_{d11}{m35}",)),
    S("atlassian-api-token", "Atlassian API token", ("ATATT3",), r"ATATT3[A-Za-z0-9_=-]{150,250}", ("ATATT3xFfGF0{b180}",)),
    S("figma-token", "Figma personal access token", ("figd_",), r"figd_[A-Za-z0-9_-]{40}", ("figd_{b40}",)),
    S("postman-api-key", "Postman API key", ("PMAK-",), r"PMAK-[a-f0-9]{24}-[a-f0-9]{34}", ("PMAK-{h24}-{h34}",)),
    S("airtable-token", "Airtable personal access token", ("pat",), r"pat[A-Za-z0-9]{14}\.[a-f0-9]{64}", ("pat{m14}.{h64}",),
      check="mixed-case"),
    S("contentful-token", "Contentful personal access token", ("CFPAT-",), r"CFPAT-[A-Za-z0-9_-]{43}", ("CFPAT-{b43}",)),
    S("prefect-api-key", "Prefect API key", ("pnu_",), r"pnu_[A-Za-z0-9]{36}", ("pnu_{m36}",)),
    S("shopify-token", "Shopify access token or secret", ("shpat_", "shpca_", "shppa_", "shpss_"),
      r"shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}", ("shpat_{h32}", "shpss_{h32}")),
    S("dropbox-token", "Dropbox short-lived access token", ("sl.",), r"sl\.[A-Za-z0-9_-]{130,160}", ("sl.{b140}",),
      check="mixed-case-digits"),
    S("mapbox-secret-token", "Mapbox secret token", ("sk.eyJ1Ijoi",), r"sk\.eyJ1Ijoi[A-Za-z0-9_-]{30,120}\.[A-Za-z0-9_-]{22}",
      ("sk.eyJ1Ijoi{b50}.{b22}",)),
    S("adafruit-io-key", "Adafruit IO key", ("aio_",), r"aio_[A-Za-z0-9]{28}", ("aio_{m28}",), check="mixed-case"),
    # --- version control and CI ------------------------------------------------------------
    S("github-token", "GitHub token", ("ghp_", "gho_", "ghu_", "ghs_", "ghr_"), r"gh[pousr]_[A-Za-z0-9]{36}",
      ("ghp_{m30}{crc}", "gho_{m30}{crc}", "ghs_{m30}{crc}"), ("ghp_{m36}", "ghp_{m20}"), check="crc32"),
    S("github-fine-grained-token", "GitHub fine-grained personal access token", ("github_pat_",),
      r"github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}", ("github_pat_{m22}_{m59}",), ("github_pat_{m22}",)),
    S("gitlab-personal-token", "GitLab personal, project or group access token", ("glpat-",),
      r"glpat-[A-Za-z0-9_-]{20,64}(?:\.[0-9a-z]{2}\.[0-9a-z]{9})?", ("glpat-{b20}", "glpat-{b27}.01.{a9}"), ("glpat-{b10}",)),
    S("gitlab-deploy-token", "GitLab deploy token", ("gldt-",), r"gldt-[A-Za-z0-9_-]{20,64}", ("gldt-{b20}",)),
    S("gitlab-runner-token", "GitLab runner authentication token", ("glrt-",), r"glrt-(?:t[0-9]_)?[A-Za-z0-9_-]{20,64}",
      ("glrt-{b20}", "glrt-t1_{b27}")),
    S("gitlab-runner-registration-token", "GitLab runner registration token", ("GR1348941",), r"GR1348941[A-Za-z0-9_-]{20}",
      ("GR1348941{b20}",)),
    S("gitlab-ci-job-token", "GitLab CI/CD job token", ("glcbt-",), r"glcbt-(?:[0-9a-fA-F]{1,5}_)?[A-Za-z0-9_-]{20,64}",
      ("glcbt-{h2}_{b20}", "glcbt-{b27}")),
    S("gitlab-feed-token", "GitLab feed token", ("glft-",), r"glft-[A-Za-z0-9_-]{20,64}", ("glft-{b20}",)),
    S("gitlab-trigger-token", "GitLab pipeline trigger token", ("glptt-",), r"glptt-[0-9a-f]{40}", ("glptt-{h40}",)),
    S("gitlab-oauth-secret", "GitLab OAuth application secret", ("gloas-",), r"gloas-[0-9a-f]{64}", ("gloas-{h64}",)),
    S("gitlab-agent-token", "GitLab agent for Kubernetes token", ("glagent-",), r"glagent-[A-Za-z0-9_-]{50}", ("glagent-{b50}",)),
    S("gitlab-scim-token", "GitLab SCIM token", ("glsoat-",), r"glsoat-[A-Za-z0-9_-]{20,64}", ("glsoat-{b20}",)),
    S("gitlab-incoming-mail-token", "GitLab incoming email token", ("glimt-",), r"glimt-[0-9a-z]{25}", ("glimt-{a25}",)),
    S("bitbucket-app-password", "Bitbucket app password", ("ATBB",), r"ATBB[A-Za-z0-9_=.-]{28,40}", ("ATBB{m32}",), check="mixed-case"),
    S("circleci-token", "CircleCI personal API token", ("CCIPAT_",), r"CCIPAT_[A-Za-z0-9]{22}_[a-f0-9]{40}", ("CCIPAT_{m22}_{h40}",)),
    S("buildkite-token", "Buildkite API access token", ("bkua_",), r"bkua_[a-f0-9]{40}", ("bkua_{h40}",)),
    # --- package registries -----------------------------------------------------------------
    S("npm-token", "npm access token", ("npm_",), r"npm_[A-Za-z0-9]{36}", ("npm_{m30}{crc}",), ("npm_{m36}",), check="crc32"),
    S("pypi-token", "PyPI API token", ("pypi-AgE",), r"pypi-AgE[A-Za-z0-9_-]{50,1000}",
      ("pypi-AgEIcHlwaS5vcmcCJ{b120}", "pypi-AgENdGVzdC5weXBpLm9yZw{b120}"), ("pypi-AgE{b120}",), check="pypi-macaroon"),
    S("rubygems-key", "RubyGems API key", ("rubygems_",), r"rubygems_[a-f0-9]{48}", ("rubygems_{h48}",)),
    S("nuget-key", "NuGet API key", ("oy2",), r"oy2[a-z0-9]{43}", ("oy2{a43}",)),
    S("docker-hub-token", "Docker Hub access token", ("dckr_pat_", "dckr_oat_"), r"dckr_(?:pat|oat)_[A-Za-z0-9_-]{27,32}",
      ("dckr_pat_{b27}",)),
    S("crates-io-token", "crates.io API token", ("cio",), r"cio[A-Za-z0-9]{32}", ("cio{m32}",), check="mixed-case"),
    S("clojars-token", "Clojars deploy token", ("CLOJARS_",), r"CLOJARS_[a-z0-9]{60}", ("CLOJARS_{a60}",)),
    S("jfrog-api-key", "JFrog Artifactory API key", ("AKCp",), r"AKCp[A-Za-z0-9]{69}", ("AKCp{m69}",)),
    S("jfrog-reference-token", "JFrog reference token", ("cmVmdGtuOjAxOj",), r"cmVmdGtuOjAxOj[A-Za-z0-9]{40,60}", ("cmVmdGtuOjAxOj{m50}",)),
    # --- chat and collaboration --------------------------------------------------------------
    S("slack-bot-token", "Slack bot token", ("xoxb-",), r"xoxb-[0-9]{10,13}-[0-9]{10,13}-[A-Za-z0-9]{24,34}", ("xoxb-{d12}-{d13}-{m24}",),
      ("xoxb-{d9}-{m24}",)),
    S("slack-user-token", "Slack user token", ("xoxp-",), r"xoxp-[0-9]{10,13}-[0-9]{10,13}-[0-9]{10,13}-[a-f0-9]{32}",
      ("xoxp-{d12}-{d12}-{d13}-{h32}",)),
    S("slack-app-token", "Slack app-level token", ("xapp-",), r"xapp-[0-9]-[A-Z0-9]{9,12}-[0-9]{10,13}-[a-f0-9]{64}",
      ("xapp-1-A{A10}-{d13}-{h64}",)),
    S("slack-config-token", "Slack configuration or refresh token", ("xoxe.xox", "xoxe-"),
      r"xoxe\.xox[bp]-[0-9]-[A-Za-z0-9]{160,170}|xoxe-[0-9]-[A-Za-z0-9]{140,150}", ("xoxe.xoxp-1-{m165}", "xoxe-1-{m146}")),
    S("slack-token", "Slack token", ("xoxa-", "xoxb-", "xoxe-", "xoxo-", "xoxp-", "xoxr-", "xoxs-"),
      r"xox[abeoprs]-[0-9]{1,13}-[0-9A-Za-z-]{20,200}", ("xoxa-2-{d12}-{d12}-{h32}", "xoxs-{d12}-{d12}-{d12}-{h64}")),
    S("slack-webhook", "Slack webhook URL", ("hooks.slack.com/",),
      r"https://hooks\.slack\.com/(?:services/T[A-Z0-9]{8,12}/B[A-Z0-9]{8,12}/[A-Za-z0-9]{20,32}"
      r"|workflows/T[A-Z0-9]{8,12}/A[A-Z0-9]{8,12}/[0-9]{15,20}/[A-Za-z0-9]{20,32}"
      r"|triggers/T[A-Z0-9]{8,12}/[0-9]{10,20}/[a-f0-9]{32})",
      ("https://hooks.slack.com/services/T{A8}/B{A10}/{m24}", "https://hooks.slack.com/workflows/T{A10}/A{A10}/{d18}/{m24}",
       "https://hooks.slack.com/triggers/T{A10}/{d13}/{h32}"), ("https://hooks.slack.com/services/T000/B000/XXXX",), before=8),
    S("discord-webhook", "Discord webhook URL", ("discord.com/api/webhooks/", "discordapp.com/api/webhooks/"),
      r"https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/[0-9]{17,20}/[A-Za-z0-9_-]{60,68}",
      ("https://discord.com/api/webhooks/{d18}/{b68}",), before=15),
    S("teams-webhook", "Microsoft Teams incoming webhook URL", (".webhook.office.com/webhookb2/",),
      r"https://[a-z0-9-]{1,40}\.webhook\.office\.com/webhookb2/[a-f0-9-]{36}@[a-f0-9-]{36}/IncomingWebhook/[a-f0-9]{32}/[a-f0-9-]{36}",
      ("https://acme.webhook.office.com/webhookb2/{h8}-{h4}-{h4}-{h4}-{h12}@{h8}-{h4}-{h4}-{h4}-{h12}/IncomingWebhook/{h32}/"
       "{h8}-{h4}-{h4}-{h4}-{h12}",), before=48),
    S("telegram-bot-token", "Telegram bot token", (":AA",), r"[0-9]{8,10}:AA[A-Za-z0-9_-]{33}", ("{d10}:AA{b33}",), before=10),
    # --- payments ------------------------------------------------------------------------------
    S("stripe-live-key", "Stripe live secret or restricted key", ("sk_live_", "rk_live_"), r"[rs]k_live_[A-Za-z0-9]{24,247}",
      ("sk_live_{m24}", "rk_live_{m99}"), ("sk_live_{m10}",)),
    S("stripe-test-key", "Stripe test secret key", ("sk_test_", "rk_test_"), r"[rs]k_test_[A-Za-z0-9]{24,247}", ("sk_test_{m24}",),
      severity="warning", category="test"),
    S("stripe-webhook-secret", "Stripe webhook signing secret", ("whsec_",), r"whsec_[A-Za-z0-9]{32,64}", ("whsec_{m32}",)),
    S("square-token", "Square access token or application secret", ("EAAA", "sq0atp-", "sq0csp-"),
      r"EAAA[A-Za-z0-9_-]{60}|sq0atp-[A-Za-z0-9_-]{22}|sq0csp-[A-Za-z0-9_-]{43}", ("EAAA{b60}", "sq0csp-{b43}"), check="mixed-case-digits"),
    S("braintree-token", "Braintree access token", ("access_token$production$",),
      r"access_token\$production\$[a-z0-9]{16}\$[a-f0-9]{32}", ("access_token$production${a16}${h32}",)),
    S("razorpay-key", "Razorpay live key ID", ("rzp_live_",), r"rzp_live_[A-Za-z0-9]{14}", ("rzp_live_{m14}",)),
    S("flutterwave-secret-key", "Flutterwave secret key", ("FLWSECK-", "FLWSECK_TEST-"), r"FLWSECK(?:_TEST)?-[a-f0-9]{32}-X",
      ("FLWSECK-{h32}-X",)),
    S("plaid-access-token", "Plaid access token", ("access-production-", "access-development-"),
      r"access-(?:production|development)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
      ("access-production-{h8}-{h4}-{h4}-{h4}-{h12}",)),
    S("shippo-token", "Shippo live API token", ("shippo_live_",), r"shippo_live_[a-f0-9]{40}", ("shippo_live_{h40}",)),
    S("easypost-key", "EasyPost API key", ("EZAK",), r"EZAK[a-f0-9]{54}", ("EZAK{h54}",)),
    S("duffel-token", "Duffel live access token", ("duffel_live_",), r"duffel_live_[A-Za-z0-9_-]{43}", ("duffel_live_{b43}",)),
    # --- mail and SMS ----------------------------------------------------------------------------
    S("sendgrid-key", "SendGrid API key", ("SG.",), r"SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}", ("SG.{b22}.{b43}",)),
    S("mailgun-key", "Mailgun API key", ("key-",), r"key-[0-9a-f]{32}", ("key-{h32}",)),
    S("mailchimp-key", "Mailchimp API key", ("-us",), r"[0-9a-f]{32}-us[0-9]{1,2}", ("{h32}-us14",), before=32),
    S("brevo-key", "Brevo (Sendinblue) API key", ("xkeysib-", "xsmtpsib-"), r"x(?:keysib|smtpsib)-[a-f0-9]{64}-[A-Za-z0-9]{16}",
      ("xkeysib-{h64}-{m16}",)),
    S("mailersend-token", "MailerSend API token", ("mlsn.",), r"mlsn\.[a-f0-9]{64}", ("mlsn.{h64}",)),
    S("resend-key", "Resend API key", ("re_",), r"re_[A-Za-z0-9]{8}_[A-Za-z0-9]{24}", ("re_{m8}_{m24}",), check="mixed-case"),
    S("twilio-api-key", "Twilio API key SID", ("SK",), r"SK[0-9a-f]{32}", ("SK{h32}",)),
    # --- AI providers and model hubs -----------------------------------------------------------
    S("openai-key", "OpenAI API key", ("sk-",), r"sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,250}", ("sk-proj-{b120}", "sk-{m48}"),
      ("sk-learn-is-a-common-misspelling-of-scikit",), check="mixed-case-digits"),
    S("anthropic-key", "Anthropic API key", ("sk-ant-",), r"sk-ant-(?:api|admin|sid)[0-9]{2}-[A-Za-z0-9_-]{32,250}",
      ("sk-ant-api03-{b93}AA", "sk-ant-admin01-{b93}AA")),
    S("openrouter-key", "OpenRouter API key", ("sk-or-v1-",), r"sk-or-v1-[a-f0-9]{64}", ("sk-or-v1-{h64}",)),
    S("huggingface-token", "Hugging Face token", ("hf_",), r"hf_[A-Za-z0-9]{34}", ("hf_{l34}", "hf_{m34}"), ("hf_hub_download",),
      check="mixed-case"),
    S("huggingface-org-token", "Hugging Face organization API token", ("api_org_",), r"api_org_[A-Za-z0-9]{34}", ("api_org_{l34}",),
      check="mixed-case"),
    S("groq-key", "Groq API key", ("gsk_",), r"gsk_[A-Za-z0-9]{52}", ("gsk_{m52}",)),
    S("replicate-token", "Replicate API token", ("r8_",), r"r8_[A-Za-z0-9]{37}", ("r8_{m37}",), check="mixed-case"),
    S("perplexity-key", "Perplexity API key", ("pplx-",), r"pplx-[A-Za-z0-9]{48}", ("pplx-{m48}",)),
    S("xai-key", "xAI API key", ("xai-",), r"xai-[A-Za-z0-9]{80}", ("xai-{m80}",)),
    S("langsmith-key", "LangSmith API key", ("lsv2_pt_", "lsv2_sk_"), r"lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}", ("lsv2_pt_{h32}_{h10}",)),
    S("pinecone-key", "Pinecone API key", ("pcsk_",), r"pcsk_[A-Za-z0-9]{4,8}_[A-Za-z0-9]{40,80}", ("pcsk_{m6}_{m64}",)),
    # --- databases, URLs and generic structures ------------------------------------------------
    S("jwt", "JSON Web Token", ("eyJ",), r"eyJ[A-Za-z0-9_-]{8,2000}\.eyJ[A-Za-z0-9_-]{8,8000}\.[A-Za-z0-9_-]{8,2000}",
      ("{jwt}",), ("eyJub3QiOiJqc29u.eyJzdWIiOiIxIn0.{b20}",), check="jwt"),
)


# --- placeholders ----------------------------------------------------------------------------

DOCUMENTED_EXAMPLES = frozenset({
    "AKIAIOSFODNN7EXAMPLE",  # AWS documentation's access key ID
    "ASIAIOSFODNN7EXAMPLE",
})  # fmt: skip
_PLACEHOLDER_WORDS = re.compile(
    r"example|sample|dummy|random|your|fake|placeholder|redacted|changeme|replace|insert|token_?here|key_?here|secret_?here",
    re.IGNORECASE,
)
_FILLER = re.compile(r"([xX0*.#_-])\1{5}|(.)\2{7}")


def _sequential(body: str, run: int = 6) -> bool:
    """A run of ``run`` characters each one code point after the previous (123456, abcdef)."""
    count = 1
    for a, b in zip(body, body[1:]):
        count = count + 1 if ord(b) - ord(a) == 1 else 1
        if count >= run:
            return True
    return False


def is_placeholder(body: str) -> bool:
    """The random part of a token is a stand-in: fillers, sequences, words, a few distinct characters."""
    return (
        len(set(body)) <= 4
        or (len(body) >= 16 and body[:8] in body[8:])  # a short unit repeated: "a1B2a1B2a1B2..."
        or _FILLER.search(body) is not None
        or _PLACEHOLDER_WORDS.search(body) is not None
        or _sequential(body)
    )


# --- the finder ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TokenMatch:
    secret: Secret
    start: int
    end: int
    value: str
    category: str  # "", "test" or "example"


_BY_HINT: dict[str, list[Secret]] = {}
for _secret in CATALOGUE:
    for _hint in _secret.hints:
        _BY_HINT.setdefault(_hint, []).append(_secret)


def trie_pattern(words: Iterable[str]) -> str:
    """One regex for a set of literals with shared prefixes factored out (6x faster than a flat
    alternation in Python's re); greedy, so the longest hint at a position wins ("sk-ant-" over "sk-")."""
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, dict]) -> str:
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        group = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{group})?" if "" in node else group

    return build(trie)


HINTS = re.compile(trie_pattern(_BY_HINT))
# Every token of the catalogue is a run of at least 16 of these characters: one tight scan for
# such runs, then the hint search only inside them (prose words are shorter), 5x faster on chat text.
_RUN = re.compile(r"[A-Za-z0-9_~.$:/+=@-]{16,}")


def find_secrets(text: str, validate: bool) -> Iterator[TokenMatch]:
    """Catalogue matches in text order, without overlaps: each hint tries its formats at the few
    positions where a token holding that hint can start."""
    last_end = 0
    for run in _RUN.finditer(text):
        for hint in HINTS.finditer(text, run.start(), run.end()):
            if hint.start() < last_end:
                continue
            best: TokenMatch | None = None
            for secret in _BY_HINT[hint.group(0)]:
                found = _match_at(text, secret, hint.start(), validate)
                if found and (best is None or found.end - found.start > best.end - best.start):
                    best = found
            if best is not None:
                last_end = best.end
                yield best


def _match_at(text: str, secret: Secret, hint_at: int, validate: bool) -> TokenMatch | None:
    for start in range(hint_at, max(-1, hint_at - secret.before - 1), -1):
        m = secret.regex.match(text, start)
        if m is None or m.end() <= hint_at:
            continue
        span = m.span("v") if "v" in secret.regex.groupindex else m.span()
        value = text[span[0] : span[1]]
        category = "example" if value in DOCUMENTED_EXAMPLES else secret.category
        if validate and category != "example":
            if secret.check and not CHECKS[secret.check](value):
                return None
            if is_placeholder(_random_part(secret, value)):
                return None
        return TokenMatch(secret, span[0], span[1], value, category)
    return None


def _random_part(secret: Secret, value: str) -> str:
    """The token without its literal prefix (the hint and any separator after it)."""
    for hint in secret.hints:
        i = value.find(hint)
        if i >= 0:
            return value[:i] + value[i + len(hint) :]
    return value


# --- examples --------------------------------------------------------------------------------

_TEMPLATE = re.compile(r"\{(?:([A-Za-z])([0-9]{1,3})|(crc)|(jwt))\}")


def expand(template: str, rng: random.Random) -> str:
    """A catalogue example with its ``{m36}``, ``{crc}`` and ``{jwt}`` slots filled from ``rng``."""
    out: list[str] = []
    pos = 0
    for m in _TEMPLATE.finditer(template):
        out.append(template[pos : m.start()])
        if m.group(3):  # the CRC32 of the random characters since the prefix's last "_"
            so_far = "".join(out)
            out.append(base62_crc32(so_far[so_far.rindex("_") + 1 :]))
        elif m.group(4):
            out.append(_example_jwt(rng))
        else:
            alphabet = ALPHABETS[m.group(1)]
            out.append("".join(rng.choice(alphabet) for _ in range(int(m.group(2)))))
        pos = m.end()
    out.append(template[pos:])
    return "".join(out)


def _example_jwt(rng: random.Random) -> str:
    def segment(obj: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(orjson.dumps(obj)).decode().rstrip("=")

    signature = "".join(rng.choice(ALPHABETS["b"]) for _ in range(43))
    return segment({"alg": "HS256", "typ": "JWT"}) + "." + segment({"sub": str(rng.randrange(10**9)), "iat": 1516239022}) + "." + signature
