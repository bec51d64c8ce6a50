"""Typed models of Insider's WhatsApp Campaign Analytics API, generated from the wa-stats JSON
Schemas (request, statistics, errors), plus the few lines JSON Schema cannot say: the tolerant
reading of a success body (`read_statistics`) and the classification of an error (`classify`).
"""

from .counters import COUNTERS, VERSION, ErrorKind
from .envelope import CampaignStatisticsEnvelope, CampaignStatisticsEnvelopeData, EnvelopedStatistics
from .errors import CodedErrorBody, ErrorResponse, FieldErrorsBody, MessageBody, RateLimitDetail, RateLimitedBody
from .read import ApiError, ErrorBody, classify, read_statistics, to_json
from .request import CampaignStatisticsRequest
from .statistics import CampaignStatistics, DropDetails, ResponseCard, ResponseSummary, UndeliveredDetails

__version__ = VERSION

__all__ = [
    "COUNTERS",
    "VERSION",
    "ApiError",
    "CampaignStatistics",
    "CampaignStatisticsEnvelope",
    "CampaignStatisticsEnvelopeData",
    "CampaignStatisticsRequest",
    "CodedErrorBody",
    "DropDetails",
    "ErrorBody",
    "ErrorKind",
    "EnvelopedStatistics",
    "ErrorResponse",
    "FieldErrorsBody",
    "MessageBody",
    "RateLimitDetail",
    "RateLimitedBody",
    "ResponseCard",
    "ResponseSummary",
    "UndeliveredDetails",
    "classify",
    "read_statistics",
    "to_json",
]
