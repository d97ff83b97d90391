"""The choices of the integrations' fields, apart from the models so that
validation, presets and kinds may name them without importing the models."""

from __future__ import annotations

from django.db import models


class FunctionKind(models.TextChoices):
    MAPPING = "mapping", "Mapping"
    REGEX = "regex", "Regular expression"
    HASH = "hash", "Hash"


class HashEncoding(models.TextChoices):
    HEX = "hex", "Hexadecimal (lower case)"
    BASE64 = "base64", "Base64"


class IntegrationKind(models.TextChoices):
    EMAIL = "email", "E-mail"
    SMS = "sms", "SMS"
    PHONE = "phone", "Phone"
    SLACK = "slack", "Slack"
    PAGERDUTY = "pagerduty", "PagerDuty"
    STATUSHUB = "statushub", "StatusHub"
    WEBHOOK = "webhook", "Custom integration"


class VariableMode(models.TextChoices):
    FIXED = "fixed", "Value here"
    PER_LEVEL = "per_level", "Value per escalation level"


class HttpMethod(models.TextChoices):
    GET = "GET"
    POST = "POST"
    PUT = "PUT"
    PATCH = "PATCH"
    DELETE = "DELETE"


class MessageStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"
    EXPIRED = "expired", "Expired"


class HashAlgorithm(models.TextChoices):
    MD5 = "md5", "MD5"
    SHA1 = "sha1", "SHA-1"
    SHA256 = "sha256", "SHA-256"
    SHA512 = "sha512", "SHA-512"
    HMAC_SHA1 = "hmac-sha1", "HMAC-SHA1"
    HMAC_SHA256 = "hmac-sha256", "HMAC-SHA256"
    HMAC_SHA512 = "hmac-sha512", "HMAC-SHA512"


class AuthType(models.TextChoices):
    NONE = "none", "None"
    BASIC = "basic", "Basic"
    DIGEST = "digest", "Digest"
    NTLM = "ntlm", "NTLM"
    BEARER = "bearer", "Bearer token"
