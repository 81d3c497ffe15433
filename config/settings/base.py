"""Settings shared by every environment. Everything comes from environment variables.

Every variable read here is documented in ``.env.example``. With no environment at all the
portal runs on its embedded defaults: SQLite under ``var/``, tasks in-process, media under
``var/media/``, database search.
"""

from pathlib import Path

from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import Env
from config.security import inline_style_hashes
from privacy.encryption import parse_fernet_keys
from privacy.tokens import parse_keys as parse_token_keys

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = Env()
# A .env file beside manage.py is read when present; real environment variables win.
env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "core",
    "accounts",
    "regions",
    "privacy",
    "marketplace.needs",
    "marketplace.organizations",
    "marketplace.claims",
    "marketplace.delivery",
    "marketplace.matching",
    "cms",
    "supervision",
    "supervision.open311",
    "reports",
    "search",
    "demo",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.table_block",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "accounts.apps.PortalUsersAppConfig",  # wagtail.users with the portal's user forms
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from the portal itself, not a CDN
    "csp",
    "axes",
    "auditlog",  # the change log of users, roles, scopes, source systems, policy overrides
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_celery_beat",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Early, so that responses made by later middleware (CSRF failure, lockout) get them too.
    "config.security.PortalCSPMiddleware",
    "config.security.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.StaffSessionTimeoutMiddleware",
    # After authentication: who changed what, and from which address (accounts.audit).
    "accounts.audit.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cms.context_processors.portal",
                "accounts.context_processors.notifications",
                "accounts.context_processors.back_office",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(exist_ok=True)  # the embedded default keeps its SQLite file under var/
    # Parallel requests that write (each evidence read writes an access-log row) must wait for
    # one another, never fail with "database is locked": WAL lets readers run beside the one
    # writer; IMMEDIATE takes the write lock when a transaction begins (a DEFERRED one that
    # upgrades from reading to writing fails at once instead of waiting); the busy timeout is
    # how long a request waits for that lock. With ATOMIC_REQUESTS every request's transaction
    # is IMMEDIATE, so requests run one at a time on SQLite: PostgreSQL is for load.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": env.int("SQLITE_BUSY_TIMEOUT", default=20),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    # The matching app's covering index (need_open_matching) carries non-key columns for
    # PostgreSQL's index-only scans; SQLite builds it on the key columns alone, which is all the
    # embedded default needs.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env.int(
        "DATABASE_CONNECT_TIMEOUT", default=5
    )
    # Test databases are created UTF-8: Chinese text search depends on it.
    DATABASES["default"]["TEST"] = {"TEMPLATE": "template0", "CHARSET": "UTF8"}
# How the web nodes reach PostgreSQL: "session" (directly, or a pool that gives each client one
# server connection for its whole session) or "transaction" (PgBouncer's transaction mode: each
# transaction may run on another server connection). Transaction mode has no server-side cursors
# (a named cursor lives in one server connection) and prepares no statements unless
# DATABASE_PREPARED_STATEMENTS says the pooler keeps them.
DATABASE_POOL_MODE = env.choice("DATABASE_POOL_MODE", ("session", "transaction"), default="session")
if DATABASE_POOL_MODE == "transaction":
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and login security ------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out user before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "accounts.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The public sign-in page; the back office keeps its own at /admin/login/.
LOGIN_URL = "account:login"
LOGIN_REDIRECT_URL = "account:profile"
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("LOGIN_LOCKOUT_HOURS", default=1.0)
# Failures count per user name AND client address together: failures from one address never
# lock the account for another, so nobody can lock an administrator out from elsewhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Reverse proxies in front of the portal that append the client's address to X-Forwarded-For
# (nginx: proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for). 0: the header is ignored
# and the client is REMOTE_ADDR. Behind a proxy left at 0, every client shares the proxy's
# address; set higher than the real number, clients can forge their address.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured(
        "环境变量 TRUSTED_PROXY_COUNT 的值无效 "
        "(invalid value for environment variable TRUSTED_PROXY_COUNT): must be 0 or more"
    )
# The one client-address function, shared with the access log of sensitive reads.
AXES_CLIENT_IP_CALLABLE = "core.http.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
# Staff sessions end after this many seconds without a request; the public has no session.
STAFF_SESSION_IDLE_SECONDS = env.int("STAFF_SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=14 * 24 * 3600)
SESSION_COOKIE_HTTPONLY = True

# --- Language, time, money ------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
# Where uploads live: "local" (MEDIA_ROOT, one machine) or "s3" (an S3-compatible object store
# shared by every web node: public clouds and government clouds in China offer the S3 API).
# The bucket stays private: certificates and evidence are read back through the portal's
# permission-checked views, never from a bucket URL, and so are notice attachments
# (WAGTAILDOCS_SERVE_METHOD below).
MEDIA_STORAGE = env.choice("MEDIA_STORAGE", ("local", "s3"), default="local")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if MEDIA_STORAGE == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("S3_BUCKET"),
            "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("S3_REGION", default="") or None,
            "access_key": env.str("S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("S3_SECRET_ACCESS_KEY", default="") or None,
            # Objects are private; a name already taken gets a new one, never overwritten.
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 300,
            "file_overwrite": False,
            "addressing_style": env.choice("S3_ADDRESSING_STYLE", ("path", "virtual"), default="path"),
            "verify": env.bool("S3_VERIFY_TLS", default=True),
            # A file read back (evidence for a caseworker) spills to a temporary file past
            # this size; uploads go up by boto3's multipart transfer from the temporary file
            # Django spooled them to past FILE_UPLOAD_MAX_MEMORY_SIZE: never whole in memory.
            "max_memory_size": 5 * 1024 * 1024,
        },
    }
# Notice attachments are served by Wagtail's own view (its privacy and the portal's headers),
# never by a redirect to the storage's URL.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
# Wagtail's page editor can post more fields than Django's default limit.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# --- Cache ----------------------------------------------------------------------------------
# In-process by default. Room for 2,000 entries, not Django's 300: the public needs list keeps a
# facet result and a filter panel per filter combination (~700 for the common pairs alone), and
# with 300 they would evict each other continuously.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://portal?max_entries=2000")}

# --- Celery ---------------------------------------------------------------------------------
# No broker configured: tasks run in-process, so the embedded default needs no service.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
# Publishing never holds a request: a web request hands a task to the broker on commit, and a
# broker that is down or hung must cost it at most these seconds, once (connect, and each read
# or write), never a retry loop (Celery's defaults retried for ~19 s). A task that could not
# be handed over is logged; its outbox row stays pending and the sweep sends it (core.queue
# .enqueue). kombu's transport option max_retries=0 makes a publish connect once: without it the
# producer's channel keeps reconnecting until broker_connection_timeout, whatever
# task_publish_retry says (celery/celery#6046). Workers reconnect through their own loop
# (broker_connection_max_retries), which these options do not shorten.
BROKER_PUBLISH_TIMEOUT = env.float("BROKER_PUBLISH_TIMEOUT", default=0.5)
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_CONNECTION_TIMEOUT = BROKER_PUBLISH_TIMEOUT
# Results: only /healthz?worker=1 reads one (its ping task asks for it). Every other task
# ignores its result, so publishing never subscribes to the result backend (with Redis that
# subscription retried 20 times, one second apart, in the request).
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = (
    env.str(
        "CELERY_RESULT_BACKEND",
        default=CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else "",
    )
    or None
)
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "retry_policy": {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = BROKER_PUBLISH_TIMEOUT
CELERY_TIMEZONE = TIME_ZONE
# A task is acknowledged only when it has finished, so a worker that dies mid-task leaves it
# on the broker for another worker: background work survives a worker restart.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "max_retries": 0,
    "socket_connect_timeout": BROKER_PUBLISH_TIMEOUT,
    "socket_timeout": BROKER_PUBLISH_TIMEOUT,
}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# One beat for the deployment: its schedule lives in the database (django-celery-beat, editable
# in the back office), and config.beat's scheduler sends only while it holds the beat lock in
# the cache, so a second beat started by mistake on another machine sends nothing (with
# CACHE_URL on Redis; the in-process cache holds the lock for one machine only). The entries
# below are written to the database when beat starts.
CELERY_BEAT_SCHEDULER = "config.beat:SingleBeatScheduler"
# Seconds the beat lock lasts without renewal: a beat that died is replaced after this long.
BEAT_LOCK_SECONDS = env.int("BEAT_LOCK_SECONDS", default=60)
CELERY_BEAT_SCHEDULE = {
    "expire-needs": {"task": "needs.expire_needs", "schedule": crontab(hour=0, minute=10)},
    "expire-claim-leases": {"task": "claims.expire_claim_leases", "schedule": crontab(minute=5)},
    "escalate-transfers": {"task": "claims.escalate_transfers", "schedule": crontab(minute=35)},
    "close-fulfilled-needs": {
        "task": "delivery.close_fulfilled_needs",
        "schedule": crontab(hour=0, minute=20),
    },
    # The outbox row is the truth: this re-sends what a lost message or a failed webhook left.
    "redispatch-feedback": {"task": "needs.redispatch_feedback", "schedule": 60.0},
    # Previewed spreadsheets hold identities: none outlives IMPORT_PREVIEW_MINUTES by much.
    "purge-import-previews": {"task": "needs.purge_import_previews", "schedule": crontab(minute="*/10")},
    # The same for the notifications of new claims (Claim.announce_pending).
    "announce-pending-claims": {"task": "claims.announce_pending_claims", "schedule": 60.0},
    # Performance reports: the monthly and quarterly ones of the back office's schedules (the
    # day after a period ends, and any later day until made), and requests whose message was lost.
    "run-report-schedules": {"task": "reports.run_schedules", "schedule": crontab(hour=1, minute=30)},
    "requeue-reports": {"task": "reports.requeue_reports", "schedule": crontab(minute="*/10")},
    # Tickets: soon-due and overdue warnings (预警), once each; replied tickets left unrated close.
    "warn-due-tickets": {"task": "supervision.warn_due_tickets", "schedule": crontab(minute="*/15")},
    "close-unrated-tickets": {"task": "supervision.close_unrated_tickets", "schedule": crontab(minute=40)},
    # Indexing messages lost with the broker: count both sides of the search index, repair drift.
    "repair-search-index": {"task": "search.repair_index", "schedule": crontab(minute="*/15")},
    # Notices scheduled to go live (go_live_at) or to expire (expire_at): Wagtail's publish_scheduled.
    "publish-scheduled-pages": {"task": "cms.publish_scheduled", "schedule": 60.0},
    # Publicity lists come down when their period ends (their pages answer 410 from midnight).
    "expire-publicity-lists": {"task": "cms.expire_publicity_lists", "schedule": crontab(minute=1)},
    # Needs waiting without a claim: alerted once per period (matching.services.waiting).
    "alert-waiting-needs": {"task": "matching.alert_waiting_needs", "schedule": crontab(hour=7, minute=30)},
}
# The portal's public address, printed under each report's QR code (/reports/verify/<id>/).
REPORT_VERIFY_BASE_URL = env.str("REPORT_VERIFY_BASE_URL", default="http://127.0.0.1:8000")
# Seconds /healthz waits for the broker before reporting it down.
BROKER_HEALTH_TIMEOUT = env.float("BROKER_HEALTH_TIMEOUT", default=2.0)

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Token first: DRF takes the first class's WWW-Authenticate challenge, so a caller without
    # credentials gets 401 (``Token``) rather than 403 (the session names no challenge).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "config.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "湖北社会救助慈善帮扶衔接平台 API",
    "DESCRIPTION": "Hubei social-assistance and charity-matching portal, HTTP API v1.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # /api/docs/ loads Swagger UI from drf-spectacular-sidecar's static files (pinned with the
    # package), not from a CDN: nothing outside the portal runs on its pages.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "PREPROCESSING_HOOKS": ["config.api.only_public_api"],
    # The values each parameter accepts, and every error status of every operation with the one
    # error body (config.api.document_parameters, document_errors).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api.document_parameters",
        "config.api.document_errors",
    ],
    # A need's code in a path is what the need_code converter matches (marketplace/needs/converters.py).
    "PATH_CONVERTER_OVERRIDES": {"need_code": {"type": "string", "pattern": r"^[0-9A-Za-z]{1,12}$"}},
    # Several models have a "status": name each choice set after its model.
    "ENUM_NAME_OVERRIDES": {
        "NeedStatusEnum": "marketplace.needs.models.NeedStatus",
        "ClaimStatusEnum": "marketplace.claims.models.ClaimStatus",
        "DeliveryStatusEnum": "marketplace.delivery.models.DeliveryStatus",
        "TransferStatusEnum": "marketplace.claims.models.TransferStatus",
        "OrganizationStatusEnum": "marketplace.organizations.models.OrganizationStatus",
        "IntakeOutcomeEnum": ["created", "updated", "unchanged", "held", "rejected"],
    },
}

# --- Security headers -----------------------------------------------------------------------
# Content-Security-Policy of every page (django-csp 4; config.security applies it, see
# docs/decisions/0005-content-security-policy.md). Scripts and styles come only from the
# portal's own static files: no inline script, no event-handler attribute, no style attribute.
# The only inline style allowed is the one, by its hash, of the pages rendered without static
# files (500, CSRF failure). /api/docs/ adds data: images (Swagger UI's icons); evidence
# downloads set their own, stricter header.
PLAIN_PAGE_STYLE = BASE_DIR / "templates" / "includes" / "plain_page_style.html"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, *inline_style_hashes(PLAIN_PAGE_STYLE)],
        "img-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# The back office (Wagtail 8) cannot run under that policy: its listings, date widgets and
# inline panels write inline <script> elements, its editor's bundle inserts <script> and
# <style> elements, and Wagtail has no nonce support (wagtail/wagtail#1288, #7053). Its policy
# is the strictest under which every back-office page works: inline script and style
# elements, but still no event-handler attribute, no eval, nothing from another origin, no
# plugin; blob: images for upload previews; framed only by itself (page previews). The pages
# anyone can reach before signing in (login, password reset) keep the public site's policy.
ADMIN_CONTENT_SECURITY_POLICY = {
    "URL_PREFIXES": ("/admin/",),
    "EXCEPT_URL_PREFIXES": ("/admin/login/", "/admin/password_reset/"),
    "DIRECTIVES": {
        **CONTENT_SECURITY_POLICY["DIRECTIVES"],
        "script-src": [SELF, UNSAFE_INLINE],
        "script-src-attr": [NONE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "frame-ancestors": [SELF],
    },
}
# Browser features no page of the portal uses: denied to every page and every frame in it.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
        "browsing-topics",
    )
}

# --- Wagtail --------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "湖北社会救助慈善帮扶衔接平台"
WAGTAILADMIN_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "xlsx"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
# No Gravatar: staff avatars would send a hash of each staff e-mail address to a third party,
# and the back office's Content-Security-Policy loads images from the portal only.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# The back office does not call home for new Wagtail releases (pinned in requirements.txt).
WAGTAIL_ENABLE_UPDATE_CHECK = False

# --- E-mail -------------------------------------------------------------------------------
# consolemail:// prints messages (development); smtp+tls://user:password@host:587 sends them.
_email = env.email_url("EMAIL_URL", default="consolemail://")
if _email["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend":
    # The same, with what a message marks as secret masked in the print (core/mail.py).
    _email["EMAIL_BACKEND"] = "core.mail.ConsoleEmailBackend"
vars().update(_email)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="portal@localhost")

# --- Portal ---------------------------------------------------------------------------------
PORTAL_NAME = _("Hubei Social Assistance and Charity Portal")
# The social-assistance service hotline shown in every page footer (seed 五(三)).
SERVICE_HOTLINE = env.str("SERVICE_HOTLINE", default="12345")

# --- Privacy gate and intake ----------------------------------------------------------------
# Keys of the household token (HMAC of the ID number): "id:base64secret", comma-separated,
# newest first. Production requires its own; the default is for development and tests only.
HOUSEHOLD_TOKEN_KEYS_DEV = "dev:ZGV2LW9ubHktaG91c2Vob2xkLXRva2VuLWtleS0wMDAx"  # noqa: S105 - dev only
HOUSEHOLD_TOKEN_KEYS = env.str("HOUSEHOLD_TOKEN_KEYS", default=HOUSEHOLD_TOKEN_KEYS_DEV)
try:
    parse_token_keys(HOUSEHOLD_TOKEN_KEYS)
except ValueError as exc:
    raise ImproperlyConfigured(
        "环境变量 HOUSEHOLD_TOKEN_KEYS 的值无效 "
        f"(invalid value for environment variable HOUSEHOLD_TOKEN_KEYS): {exc}"
    ) from None
# Keys that encrypt personal data at rest (volunteers' real names, complainants' contacts):
# url-safe base64 Fernet keys, comma-separated, newest first. Required in production.
FIELD_ENCRYPTION_KEYS_DEV = "ZGV2LW9ubHktZmllbGQtZW5jcnlwdGlvbi1rZXkhISE="
FIELD_ENCRYPTION_KEYS = env.str("FIELD_ENCRYPTION_KEYS", default=FIELD_ENCRYPTION_KEYS_DEV)
try:
    parse_fernet_keys(FIELD_ENCRYPTION_KEYS)
except ValueError as exc:
    raise ImproperlyConfigured(
        "环境变量 FIELD_ENCRYPTION_KEYS 的值无效 "
        f"(invalid value for environment variable FIELD_ENCRYPTION_KEYS): {exc}"
    ) from None
# k of k-anonymity: every published class of needs has at least this many members.
K_ANONYMITY_K = env.int("K_ANONYMITY_K", default=5)
# Records in one intake request, and bytes in its body (over either: HTTP 413).
INTAKE_MAX_RECORDS = env.int("INTAKE_MAX_RECORDS", default=500)
INTAKE_MAX_BODY_BYTES = env.int("INTAKE_MAX_BODY_BYTES", default=5 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = INTAKE_MAX_BODY_BYTES
# Minutes a previewed spreadsheet is kept (encrypted) for its uploader to confirm the import.
IMPORT_PREVIEW_MINUTES = env.int("IMPORT_PREVIEW_MINUTES", default=30)

# --- Marketplace ----------------------------------------------------------------------------
# Days a claim holds its amount before the claimant must renew it.
CLAIM_LEASE_DAYS = env.int("CLAIM_LEASE_DAYS", default=14)
# Hours a claim's holder has to answer a transfer request before the caseworker decides.
TRANSFER_ANSWER_HOURS = env.int("TRANSFER_ANSWER_HOURS", default=72)
# Days within which the same kind of help to the same household raises a duplicate-aid alert.
DUPLICATE_AID_WINDOW_DAYS = env.int("DUPLICATE_AID_WINDOW_DAYS", default=90)
# The allocation proposal's time limit for the solver (HiGHS), all parts of a province together;
# what a part cannot solve in its share is filled greedily, and the proposal says so.
MATCHING_ALLOCATION_SECONDS = env.float("MATCHING_ALLOCATION_SECONDS", default=45)
# Weeks an allocation proposal plans volunteers' hours for: a volunteer's hours per week times
# this is their capacity, less the hours earlier proposals gave them in that time.
MATCHING_VOLUNTEER_WEEKS = env.int("MATCHING_VOLUNTEER_WEEKS", default=4)
# Days a published need may wait without any claim before its caseworkers and the pushing
# department are alerted (and again every as many days), by urgency (matching.alert_waiting_needs).
MATCHING_WAITING_DAYS = {
    "critical": env.int("MATCHING_WAITING_DAYS_CRITICAL", default=3),
    "urgent": env.int("MATCHING_WAITING_DAYS_URGENT", default=7),
    "normal": env.int("MATCHING_WAITING_DAYS_NORMAL", default=30),
}
# Days after which a fulfilled need closes when the platform has not confirmed receipt.
NEED_CLOSE_GRACE_DAYS = env.int("NEED_CLOSE_GRACE_DAYS", default=14)
# Days a need to review, a delivery to verify or a transfer to decide may wait before the
# supervisors' and administrators' dashboards count it as overdue.
QUEUE_OVERDUE_DAYS = env.int("QUEUE_OVERDUE_DAYS", default=3)
# Seconds the public list's facet counts are cached; 0 counts on every request. The counts, and
# the list's total and number of pages, may lag the rows by up to this long (the rows themselves
# are always read live). /needs/ keeps its rendered filter panel and cards ten times as long
# (0: not at all): they are kept under a digest of what they show and so are never out of date.
NEED_FACETS_CACHE_SECONDS = env.int("NEED_FACETS_CACHE_SECONDS", default=60)
# Seconds before the facet counts expire when a background thread starts counting the next ones,
# so that no request waits for the count (0: the first request after expiry counts).
NEED_FACETS_REFRESH_AHEAD_SECONDS = env.int("NEED_FACETS_REFRESH_AHEAD_SECONDS", default=10)
# Seconds the /needs/ page is kept whole for visitors without a session (0: off), never longer
# than the facet counts it shows are (NEED_FACETS_CACHE_SECONDS): its rows are then as old as
# those counts at most. Signed-in users' pages are always rendered with live rows.
NEED_LIST_PAGE_CACHE_SECONDS = env.int("NEED_LIST_PAGE_CACHE_SECONDS", default=60)
# Seconds whole public-list API answers are cached (0: off; rows then up to N seconds old).
NEED_LIST_CACHE_SECONDS = env.int("NEED_LIST_CACHE_SECONDS", default=0)
# PostgreSQL: hot reads prepare their frequent statements, planned once per connection
# (core.db.preparing_cursor; the public list in marketplace.needs.selectors); rows are still read
# live. On by default, except in DATABASE_POOL_MODE=transaction, where a statement prepared on
# one server connection is missing on the next: there turn it on only with PgBouncer >= 1.21 and
# its max_prepared_statements set (docs/deploy.md).
DATABASE_PREPARED_STATEMENTS = env.bool(
    "DATABASE_PREPARED_STATEMENTS", default=DATABASE_POOL_MODE != "transaction"
)
# --- Tickets (complaints, help requests, referrals) ------------------------------------------
# What sends text messages to complainants (their ticket number and query code, replies): a
# dotted path to a class with send(phone, message). The default writes them to the log, masked.
SMS_SENDER = env.str("SMS_SENDER", default="supervision.sms.ConsoleSender")
# Ticket lookups on /complaints/track/ per client address (shared across nodes through the
# cache, CACHE_URL): at most TICKET_TRACK_LIMIT per TICKET_TRACK_WINDOW_SECONDS.
TICKET_TRACK_LIMIT = env.int("TICKET_TRACK_LIMIT", default=10)
TICKET_TRACK_WINDOW_SECONDS = env.int("TICKET_TRACK_WINDOW_SECONDS", default=15 * 60)
# Tickets filed on /complaints/new/ per client address per hour.
TICKET_SUBMIT_LIMIT = env.int("TICKET_SUBMIT_LIMIT", default=10)
# Largest evidence file accepted (bytes).
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=5 * 1024 * 1024)
# Images (evidence, certificates) decoded at once per process, and seconds an upload waits for
# its turn before it is refused as busy: a burst of uploads cannot exhaust a worker's memory.
EVIDENCE_IMAGE_CONCURRENCY = env.int("EVIDENCE_IMAGE_CONCURRENCY", default=2)
EVIDENCE_IMAGE_WAIT_SECONDS = env.float("EVIDENCE_IMAGE_WAIT_SECONDS", default=10.0)

# --- Feedback to the monitoring platform ----------------------------------------------------
# Master key of the webhook signatures: each source system's signing secret is
# HMAC-SHA256(FEEDBACK_SIGNING_KEY, key_prefix) (manage.py show_feedback_secret prints it).
# Production requires its own; the default is for development and tests only.
FEEDBACK_SIGNING_KEY_DEV = "dev-only-feedback-signing-key-0001"
FEEDBACK_SIGNING_KEY = env.str("FEEDBACK_SIGNING_KEY", default=FEEDBACK_SIGNING_KEY_DEV)
# Seconds to wait for a webhook's answer before counting the attempt as failed.
FEEDBACK_WEBHOOK_TIMEOUT = env.float("FEEDBACK_WEBHOOK_TIMEOUT", default=10.0)
# Retry backoff after a failed delivery: base × 2^(attempts-1) seconds, capped.
FEEDBACK_RETRY_BASE_SECONDS = env.int("FEEDBACK_RETRY_BASE_SECONDS", default=30)
FEEDBACK_RETRY_MAX_SECONDS = env.int("FEEDBACK_RETRY_MAX_SECONDS", default=6 * 3600)

# --- Change log (accounts.audit, docs/decisions/0007-audit-of-changes.md) -------------------
# Every ORM save, delete and role change of what decides people's aid is recorded with its
# actor, address and field-level before/after, whatever made it (back office, services,
# manage.py). Secrets are masked whole (a key's hash, a password's hash); fields that change
# on every sign-in or mail are left out.
AUDITLOG_INCLUDE_TRACKING_MODELS = (
    {
        "model": "accounts.User",
        "exclude_fields": ["last_login", "email_verification_sent_at"],
        "mask_fields": ["password"],
        "m2m_fields": {"groups", "user_permissions"},
    },
    {"model": "needs.SourceSystem", "mask_fields": ["key_hash"]},
    {"model": "open311.Open311Key", "mask_fields": ["key_hash"], "exclude_fields": ["last_used_at"]},
    "needs.PolicyOverride",
)
AUDITLOG_MASK_CALLABLE = "accounts.audit.mask_secret"
AUDITLOG_STORE_JSON_CHANGES = True
# Fixture loads (loaddata of a backup) are restores, not changes.
AUDITLOG_DISABLE_ON_RAW_SAVE = True

# --- Logging --------------------------------------------------------------------------------
LOG_LEVEL = env.choice("LOG_LEVEL", ("DEBUG", "INFO", "WARNING", "ERROR"), default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # pikepdf announces its logger bridge at INFO on import, in every process.
    "loggers": {"axes": {"level": "WARNING"}, "pikepdf": {"level": "WARNING"}},
}

# --- Open311 GeoReport v2 (/open311/v2/) ------------------------------------------------------
# Requests a minute one API key may make (counted in the shared cache); 0: no limit.
OPEN311_KEY_REQUESTS_PER_MINUTE = env.int("OPEN311_KEY_REQUESTS_PER_MINUTE", default=60)
# Requests a minute one client address may make without a key (the public GETs); 0: no limit.
OPEN311_ANONYMOUS_REQUESTS_PER_MINUTE = env.int("OPEN311_ANONYMOUS_REQUESTS_PER_MINUTE", default=120)
# Most requests one GET requests answer lists (the spec's default is 1000).
OPEN311_MAX_REQUESTS = env.int("OPEN311_MAX_REQUESTS", default=1000)
# Who answers for the endpoint, shown in discovery.json.
OPEN311_CONTACT = env.str("OPEN311_CONTACT", default="湖北省民政厅社会救助服务热线 12345")
# Seconds the /stats/ tables are kept once counted (per language; 0: counted on every request).
STATS_CACHE_SECONDS = env.int("STATS_CACHE_SECONDS", default=300)
# --- Search (search/backends/, README "Search") ------------------------------------------------
# "database" (the embedded default: jieba-segmented words, PostgreSQL full-text or SQLite FTS5)
# or "elasticsearch" (ELASTICSEARCH_* below).
SEARCH_BACKEND = env.str("SEARCH_BACKEND", default="database")
if SEARCH_BACKEND not in ("database", "elasticsearch"):
    raise ImproperlyConfigured(
        f"(invalid value for environment variable SEARCH_BACKEND): {SEARCH_BACKEND!r}; "
        'use "database" or "elasticsearch"'
    )
ELASTICSEARCH_URL = env.str("ELASTICSEARCH_URL", default="")
ELASTICSEARCH_USERNAME = env.str("ELASTICSEARCH_USERNAME", default="")
ELASTICSEARCH_PASSWORD = env.str("ELASTICSEARCH_PASSWORD", default="")
ELASTICSEARCH_API_KEY = env.str("ELASTICSEARCH_API_KEY", default="")
# A CA bundle for a cluster with its own certificate authority; verification is on by default.
ELASTICSEARCH_CA_CERTS = env.str("ELASTICSEARCH_CA_CERTS", default="")
ELASTICSEARCH_VERIFY_CERTS = env.bool("ELASTICSEARCH_VERIFY_CERTS", default=True)
ELASTICSEARCH_TIMEOUT = env.float("ELASTICSEARCH_TIMEOUT", default=5.0)
ELASTICSEARCH_MAX_RETRIES = env.int("ELASTICSEARCH_MAX_RETRIES", default=3)
# Index names are <prefix>-<kind>-<timestamp>, read through the alias <prefix>-<kind>.
ELASTICSEARCH_INDEX_PREFIX = env.str("ELASTICSEARCH_INDEX_PREFIX", default="portal")
# The analyzer of the text fields: "cjk" (built in), "smartcn" (analysis-smartcn plugin) or "ik"
# (analysis-ik plugin: ik_max_word at index time, ik_smart at query time).
ELASTICSEARCH_ANALYZER = env.str("ELASTICSEARCH_ANALYZER", default="cjk")
if ELASTICSEARCH_ANALYZER not in ("cjk", "smartcn", "ik"):
    raise ImproperlyConfigured(
        f"(invalid value for environment variable ELASTICSEARCH_ANALYZER): {ELASTICSEARCH_ANALYZER!r}; "
        'use "cjk", "smartcn" or "ik"'
    )
