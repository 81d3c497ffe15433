"""What upper apps connect to the claims (``core.hooks``), in their ``AppConfig.ready()``."""

from core.hooks import Hook

# In the transaction that registers a claim: ``claim_made.call(need=locked_need, claim=claim)``
# (delivery checks the household's aid for duplicates).
claim_made = Hook("claims.made")

# After a claim: ``claim_warnings.call(need=need)`` → texts to show the claimant (or None each).
claim_warnings = Hook("claims.warnings")

# What an active claim's holder can do next, besides what claims offers itself (renew, withdraw,
# answer a transfer): ``claim_next_steps.call(user=user, claims=[…])`` → each receiver a dict
# {claim pk: ``next_actions.NextStep``} (delivery: report the delivery, or its report's state).
claim_next_steps = Hook("claims.next_steps")
