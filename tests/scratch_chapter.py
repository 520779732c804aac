"""A chapter module for the build tests: checks the period like a real chapter."""

from analysis.periods import FinancialYear


def validate_parameters(params, sources):
    return {**params, "period": FinancialYear.parse(params["period"]).label}
