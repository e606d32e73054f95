/**
 * Plausible wrong solutions of lab 12. kit verify applies each to the solved tree and requires
 * `pnpm lab 12 check` to FAIL on a behavioural step (pytest, go-test or the probe).
 */
import { defineMutants } from '../../../tooling/kit-verify/mutants.ts';

const auth = 'python/services/recommender/src/recommender/auth.py';
const service = 'python/services/recommender/src/recommender/service.py';
const interceptors = 'python/services/recommender/src/recommender/interceptors.py';
const http = 'go/services/gateway/internal/ports/http.go';

export default defineMutants([
  // Step 1: the gateway's call deadline.
  {
    name: 'the deadline is not passed on (the call only has r.Context())',
    file: http,
    find: '	ctx, cancel := context.WithDeadline(r.Context(), deadline)\n',
    replace: '	_ = deadline\n	ctx, cancel := context.WithCancel(r.Context())\n',
  },
  {
    name: 'the margin is dropped (the call gets the whole budget)',
    file: http,
    find: '	ctx, cancel := context.WithDeadline(r.Context(), deadline)\n',
    replace: '	ctx, cancel := context.WithDeadline(r.Context(), deadline.Add(s.budget.Margin))\n',
  },
  {
    name: 'the client header is not capped by the server budget',
    file: http,
    find: '	budget, err := s.budget.RequestBudget(r.Header.Get(TimeoutHeader))\n',
    replace:
      '	budget, err := s.budget.RequestBudget(r.Header.Get(TimeoutHeader))\n	if asked, perr := time.ParseDuration(r.Header.Get(TimeoutHeader) + "ms"); perr == nil && asked >= 0 {\n		budget = asked\n	}\n',
  },
  {
    name: 'the client header is ignored (always the server budget)',
    file: http,
    find: '	budget, err := s.budget.RequestBudget(r.Header.Get(TimeoutHeader))\n',
    replace: '	budget, err := s.budget.RequestBudget("")\n',
  },
  // Step 5: the token bound to the user.
  {
    name: 'the scope is matched as a substring (recommendations:any-lite acts for anyone)',
    file: auth,
    find: '    if user_id != principal.subject and ACT_FOR_ANY_USER not in principal.scopes:\n',
    replace: '    if user_id != principal.subject and not any(ACT_FOR_ANY_USER in s for s in principal.scopes):\n',
  },
  {
    name: 'the scope is compared case-insensitively',
    file: auth,
    find: '    if user_id != principal.subject and ACT_FOR_ANY_USER not in principal.scopes:\n',
    replace: '    if user_id != principal.subject and ACT_FOR_ANY_USER not in {s.lower() for s in principal.scopes}:\n',
  },
  {
    name: 'any scope at all acts for others',
    file: auth,
    find: '    if user_id != principal.subject and ACT_FOR_ANY_USER not in principal.scopes:\n',
    replace: '    if user_id != principal.subject and not principal.scopes:\n',
  },
  {
    name: 'the scope is ignored (only the own subject, even for a back-office token)',
    file: auth,
    find: '    if user_id != principal.subject and ACT_FOR_ANY_USER not in principal.scopes:\n',
    replace: '    if user_id != principal.subject:\n',
  },
  {
    name: 'a user-id prefix is taken for the subject (u-1 acts for u-10)',
    file: auth,
    find: '    if user_id != principal.subject and ACT_FOR_ANY_USER not in principal.scopes:\n',
    replace: '    if not user_id.startswith(principal.subject[:2]) and ACT_FOR_ANY_USER not in principal.scopes:\n',
  },
  // Step 2: token verification.
  {
    name: 'the algorithm is taken from the token header (alg confusion, alg none)',
    file: auth,
    find: '            algorithms=[settings.algorithm],\n',
    replace: '            algorithms=[jwt.get_unverified_header(token)["alg"]],\n',
  },
  {
    name: 'the signature is not verified',
    file: auth,
    find: '            options={"require": ["exp", "iss", "aud", "sub"]},\n',
    replace: '            options={"require": ["exp", "iss", "aud", "sub"], "verify_signature": False},\n',
  },
  {
    name: 'no audience or issuer check',
    file: auth,
    find: '            audience=settings.audience,\n            issuer=settings.issuer,\n            options={"require": ["exp", "iss", "aud", "sub"]},\n',
    replace: '            options={"require": ["exp", "iss", "aud", "sub"], "verify_aud": False},\n',
  },
  {
    name: 'the required claims are not required (a token without exp never expires)',
    file: auth,
    find: '            options={"require": ["exp", "iss", "aud", "sub"]},\n',
    replace: '            options={"require": ["iss", "aud"]},\n',
  },
  // Step 3: shedding.
  {
    name: 'milliseconds compared with seconds (nothing is ever shed)',
    file: service,
    find: '        if remaining is not None and remaining < needed:\n',
    replace: '        if remaining is not None and remaining * 1000 < needed:\n',
  },
  {
    name: 'only a deadline already passed is shed',
    file: service,
    find: '        if remaining is not None and remaining < needed:\n',
    replace: '        if remaining is not None and remaining <= 0:\n',
  },
  {
    name: 'no deadline (None) is treated as no time left',
    file: service,
    find: '        if remaining is not None and remaining < needed:\n',
    replace: '        if (remaining or 0.0) < needed:\n',
  },
  // Step 4: tracing.
  {
    name: 'the traceparent is not extracted (every call starts a new trace)',
    file: interceptors,
    find: '        parent = _propagator.extract(carrier)\n',
    replace: '        parent = _propagator.extract({})\n',
  },
  {
    name: 'only binary metadata is read (traceparent is text: a new trace starts)',
    file: interceptors,
    find: 'if isinstance(value, str)}',
    replace: 'if isinstance(value, bytes)}',
  },
]);
