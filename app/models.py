"""Imports every table so that metadata (and Alembic) sees the whole data model."""

from app.audit import AuditEvent
from app.auth.models import ApiKey, LoginThrottle, StaffSession, StaffUser
from app.banks.models import (
    BankContentAuthor,
    BankVersion,
    BankVersionContributor,
    QuestionBank,
    SupportService,
)
from app.handover.models import Handover
from app.invitations.models import (
    CaseStage,
    Contact,
    Invitation,
    InvitationBatch,
    OutboundMessage,
    SkippedCount,
)
from app.reporting.comment_checks import CommentCheck
from app.reporting.models import PublishedAction, RollupCount, SelfAssessment
from app.reporting.results_models import ResultsQuarter
from app.reporting.review_models import ComplianceReview, RollupCrosstab
from app.survey.models import (
    Answer,
    Comment,
    ContactRequest,
    ContactRequestFiled,
    InProgressAnswer,
    Response,
    SurveySession,
)
from app.system import SystemSetting

__all__ = [
    "Answer",
    "ApiKey",
    "AuditEvent",
    "BankContentAuthor",
    "BankVersion",
    "BankVersionContributor",
    "ComplianceReview",
    "CaseStage",
    "Comment",
    "Handover",
    "CommentCheck",
    "Contact",
    "ContactRequest",
    "ContactRequestFiled",
    "InProgressAnswer",
    "Invitation",
    "InvitationBatch",
    "LoginThrottle",
    "OutboundMessage",
    "PublishedAction",
    "QuestionBank",
    "Response",
    "ResultsQuarter",
    "RollupCount",
    "RollupCrosstab",
    "SelfAssessment",
    "SkippedCount",
    "StaffSession",
    "StaffUser",
    "SupportService",
    "SurveySession",
    "SystemSetting",
]
