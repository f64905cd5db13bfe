"""Errors the payment state machine matches by name (Lambda reports ``errorType`` = the class name)."""


class PaymentError(Exception):
    pass


class InvalidPaymentError(PaymentError):
    """The order cannot be paid as it stands (caught: PaymentFailed)."""


class CardDeclinedError(PaymentError):
    """The provider declined the card (caught: PaymentFailed)."""


class PaymentProviderUnavailableError(PaymentError):
    """The provider (or the ledger) is temporarily unavailable (retried by the state machine)."""


FRAUD_REVIEW_REJECTED = "FraudReviewRejected"
