"""Who may do what with the community micro-fund.

- Everyone reads the public page (balance, income, spending, projects; donors only if they agreed).
- Fund managers (classes staff, who kept the fund when it was the classroom's) keep the ledger:
  post income, propose, approve or reject (never their own proposal: the four-eyes rule), pay,
  correct, export the statement.
- Proposers (the managers and alliance staff) may propose spending, for an alliance project or
  not, and follow what they proposed; someone else approves it.
"""

from portal import roles
from portal.access import holds_role

MANAGER_ROLES = (roles.CLASSES_STAFF,)
PROPOSER_ROLES = (*MANAGER_ROLES, roles.ALLIANCE_STAFF)


def manages_fund(user) -> bool:
    """Keeps the ledger: income, approval, payment, corrections, statements."""
    return holds_role(user, *MANAGER_ROLES)


def may_propose(user) -> bool:
    """May propose spending (and see the spending on the ledger page)."""
    return holds_role(user, *PROPOSER_ROLES)
