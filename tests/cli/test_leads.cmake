# patron leads: score (criteria config + leads) and fit (history -> coefficients, points,
# gains); bad input exits 2 with one line.
include(${CMAKE_CURRENT_LIST_DIR}/cli_common.cmake)
set(DATA ${SOURCE_DIR}/tests/data/leads)

patron_write_file(criteria criteria.csv
"criterion,weight,direction,normalisation,missing,bin_edges,bin_points
intent,4,higher,percentile,reject,,
value,2,higher,min_max,neutral,,
competition,3,higher,bins,reject,1;3,0;50;100
risk,1,lower,min_max,reweight,,
")
patron_write_file(leads leads.csv
"id,intent,value,competition,risk
L1,0.9,5000,3,0.2
L2,0.4,,2,0.5
L3,0.7,12000,0,
L4,0.1,800,4,0.9
")
# L1: intent percentile 7/8 -> 35 points of 4/10 * 100, value (5000-800)/11200 * 20 = 7.5,
# competition bin [3, inf) -> 30, risk 1 - 0/0.7 -> 10: total 82.5, tier A by threshold.
patron_expect(EXIT 0 STDOUT "^lead,score,tier,rank,points_intent,points_value,points_competition,points_risk\nL1,82\\.5,A,1,35,7\\.5,30,10\n"
  ARGS leads score ${criteria} ${leads} --tier-thresholds 80,50,20)
# L3 has no risk value (reweight): its other three criteria share the whole 100.
patron_expect(EXIT 0 STDOUT "\nL3,[0-9.]+,[A-D],2,[0-9.]+,[0-9.]+,0,0\n" ARGS leads score ${criteria} ${leads})
# --reference: the normalisation comes from another population. L1 against {0, 1} intent,
# values 0..20000, risks 0..1: intent percentile 0.5 -> 20, value 0.25 -> 5, bin -> 30,
# risk 1 - 0.2 -> 8.
patron_write_file(population population.csv "id,intent,value,competition,risk\nR1,0,0,0,0\nR2,1,20000,5,1\n")
patron_expect(EXIT 0 STDOUT "\nL1,63,[A-D],1,20,5,30,8\n" ARGS leads score ${criteria} ${leads} --reference ${population})
patron_expect(EXIT 0 STDOUT "\"A\": {\n *\"min_score\": [0-9.]+,\n *\"leads\": 1" ARGS leads score ${criteria} ${leads} --json)

# events: behavioural points as of 2026-11-15. A's visits are 14, 7 and 0 days old with a
# 7-day half-life: 5/4 + 5/2 + 5 = 8.75 (its visit on 11-20 is after as-of). B's second
# demo request does not count (first_time). C: a visit, 5, and an unsubscribe one
# 30-day half-life old, -20/2 = -10. D's three same-day visits, 15, are capped at 12.
patron_write_file(rules rules.csv
"event,points,repeat,cap,half_life
visit,5,repeatable,12,7
demo_request,30,first_time,,
unsubscribe,-20,first_time,,30
")
patron_write_file(events events.csv
"lead,event,time
A,visit,2026-11-01
A,visit,2026-11-08
A,visit,2026-11-15
B,demo_request,2026-11-10
B,demo_request,2026-11-12
C,visit,2026-11-15
C,unsubscribe,2026-10-16
A,visit,2026-11-20
D,visit,2026-11-15
D,visit,2026-11-15
D,visit,2026-11-15
")
patron_expect(EXIT 0 STDOUT "^lead,points,rank,points_visit,points_demo_request,points_unsubscribe\nB,30,1,0,30,0\nD,12,2,12,0,0\nA,8\\.75,3,8\\.75,0,0\nC,-5,4,5,0,-10\n$"
  ARGS leads events ${rules} ${events} --as-of 2026-11-15)
patron_expect(EXIT 0 STDOUT "\"as_of\": \"2026-11-15\",\n *\"events_after_as_of\": 1"
  ARGS leads events ${rules} ${events} --as-of 2026-11-15 --json)
# Without --as-of: the last event (2026-11-20); A's four visits are 19, 12, 5 and 0 days old.
patron_expect(EXIT 0 STDOUT "\nA,10\\.33318473714[0-9]*,2," ARGS leads events ${rules} ${events})
patron_write_file(unknown_event unknown_event.csv "lead,event,time\nA,webinar,2026-11-01\n")
patron_expect(EXIT 2 STDERR "patron::score_behaviour: event\\[0\\] \\('webinar'\\) is not the event of any rule"
  ARGS leads events ${rules} ${unknown_event})
patron_write_file(bad_half_life bad_half_life.csv "event,points,half_life\nvisit,5,-1\n")
patron_expect(EXIT 2 STDERR "rules.half_life\\[0\\] \\(-1\\) must be positive" ARGS leads events ${bad_half_life} ${events})
patron_write_file(bad_repeat bad_repeat.csv "event,points,repeat\nvisit,5,once\n")
patron_expect(EXIT 2 STDERR "bad_repeat.csv:2: column 'repeat': 'once' is not repeatable or first_time"
  ARGS leads events ${bad_repeat} ${events})
patron_expect(EXIT 2 STDERR "--as-of: '2026-13-01' is not a date" ARGS leads events ${rules} ${events} --as-of 2026-13-01)
patron_expect(EXIT 2 STDERR "missing EVENTS file" ARGS leads events ${rules})

# score --rules --events: criteria score + behavioural points (the rules above), as of
# 2026-11-15. L4's criteria score: intent percentile 1/8 -> 5, value 0, competition bin
# [3, inf) -> 30, risk 1 - 0.7/0.7 -> 0: 35; its visits 0 and 7 days old score 5 + 2.5 and
# its demo request 30: 37.5, total 72.5, now second. L2's unsubscribe (30 days old,
# half-life 30) scores -10. L1's visit on 11-20 is after as-of; X9 is not in LEADS.
patron_write_file(lead_events lead_events.csv
"lead,event,time
L4,visit,2026-11-15
L4,visit,2026-11-08
L4,demo_request,2026-11-10
L2,unsubscribe,2026-10-16
L1,visit,2026-11-20
X9,visit,2026-11-15
")
patron_expect(EXIT 0 STDOUT "^lead,score,tier,rank,criteria_score,behaviour_points,points_intent,points_value,points_competition,points_risk,behaviour_visit,behaviour_demo_request,behaviour_unsubscribe\nL1,82\\.5,A,1,82\\.5,0,35,7\\.5,30,10,0,0,0\nL4,72\\.5,B,2,35,37\\.5,5,0,30,0,7\\.5,30,0\n"
  ARGS leads score ${criteria} ${leads} --tier-thresholds 80,50,20 --rules ${rules} --events ${lead_events} --as-of 2026-11-15)
patron_expect(EXIT 0 STDOUT "\nL2,[0-9.]+,[A-D],[34],[0-9.]+,-10,[0-9.]+,[0-9.]+,[0-9.]+,[0-9.]+,0,0,-10\n"
  ARGS leads score ${criteria} ${leads} --rules ${rules} --events ${lead_events} --as-of 2026-11-15)
patron_expect(EXIT 0 STDOUT "\"as_of\": \"2026-11-15\",\n *\"events_after_as_of\": 1,\n *\"events_of_other_leads\": 1"
  ARGS leads score ${criteria} ${leads} --rules ${rules} --events ${lead_events} --as-of 2026-11-15 --json)
# The worked example of docs/leads.md on examples/data/leads, as of 2026-11-15. Criteria
# (min-max on these four leads, 3:1): fit 2..10 and budget 20..100 give Acme
# 75 (8-2)/8 + 25 (50-20)/80 = 65.625, Borealis 37.5 + 25 = 62.5, Cobalt 0, Dunmore
# 75 + 12.5 = 87.5. Behaviour: Borealis's first demo request is 14 days old (half-life
# 14): 30/2 = 15, its second does not count; Acme's pricing visits 7 and 0 days old
# (half-life 7): 2.5 + 5 = 7.5; Cobalt's four visits, 5 x 2^(-1/7) + 3 x 5 ~ 19.5, are
# capped at 15; Dunmore's visit is after as-of. Borealis overtakes Acme.
set(EXAMPLE ${SOURCE_DIR}/examples/data/leads)
patron_expect(EXIT 0 STDOUT "^lead,score,tier,rank,criteria_score,behaviour_points,points_fit,points_budget,behaviour_demo_request,behaviour_pricing_visit
Dunmore,87\\.5,A,1,87\\.5,0,75,12\\.5,0,0
Borealis,77\\.5,B,2,62\\.5,15,37\\.5,25,15,0
Acme,73\\.125,B,3,65\\.625,7\\.5,56\\.25,9\\.375,0,7\\.5
Cobalt,15,D,4,0,15,0,0,0,15
$"
  ARGS leads score ${EXAMPLE}/criteria.csv ${EXAMPLE}/leads.csv --tier-thresholds 80,60,40
       --rules ${EXAMPLE}/rules.csv --events ${EXAMPLE}/events.csv --as-of 2026-11-15)
patron_expect(EXIT 2 STDERR "score: --rules and --events go together" ARGS leads score ${criteria} ${leads} --rules ${rules})
patron_write_file(leads_no_id leads_no_id.csv "intent,value,competition,risk\n0.9,5000,3,0.2\n0.4,800,2,0.5\n")
patron_expect(EXIT 2 STDERR "leads_no_id.csv: --events needs a lead identifier column \\(id or --id-column\\)"
  ARGS leads score ${criteria} ${leads_no_id} --rules ${rules} --events ${lead_events})
patron_write_file(leads_dup leads_dup.csv "id,intent,value,competition,risk\nL1,0.9,5000,3,0.2\nL1,0.4,800,2,0.5\n")
patron_expect(EXIT 2 STDERR "leads_dup.csv:3: column 'id': 'L1' identifies an earlier lead too"
  ARGS leads score ${criteria} ${leads_dup} --rules ${rules} --events ${lead_events})

# fit: statsmodels Logit on generated.csv (tests/reference/leads/make_reference.py):
# intercept -0.86753122551775, x1 1.08775336369798 (se 0.14917950385142).
patron_expect(EXIT 0 STDOUT "\\(intercept\\),-0\\.867531225517[0-9]*,0\\.260720453[0-9]*,-3\\.32743831[0-9]*,0\\.000876483916[0-9]*\nx1,1\\.0877533636979[0-9]*,0\\.149179503851"
  ARGS leads fit ${DATA}/generated.csv --target y --features x1,x2,x3)
patron_expect(EXIT 0 STDOUT "\n1,0\\.5,600\n2,0\\.6666666666666666,620\n" ARGS leads fit ${DATA}/generated.csv --target y --report points)
patron_expect(EXIT 0 STDOUT "^group,leads,conversions,conversion_rate,cumulative_gain,lift,cumulative_lift,min_probability,max_probability\n1,40,"
  ARGS leads fit ${DATA}/generated.csv --target y --features x1,x2,x3 --report gains)
# Penalised: no standard errors.
patron_expect(EXIT 0 STDOUT "\nx1,[-0-9.e]+,,,\n" ARGS leads fit ${DATA}/generated.csv --target y --features x1,x2,x3 --l2 20)
patron_expect(EXIT 0 STDOUT "\"auc\": 0\\.79" ARGS leads fit ${DATA}/generated.csv --target y --features x1,x2,x3 --json)

# Bad input: one line, exit 2.
patron_write_file(separated separated.csv "x,converted\n1,0\n2,0\n3,1\n4,1\n")
patron_expect(EXIT 2 STDERR "separated.*set --l2 > 0" ARGS leads fit ${separated})
patron_write_file(labels labels.csv "x,converted\n1,0\n2,2\n3,1\n4,1\n")
patron_expect(EXIT 2 STDERR "patron::fit_logistic: y\\[1\\] \\(2\\) must be 0 or 1" ARGS leads fit ${labels})
patron_write_file(negative negative.csv "criterion,weight,direction,normalisation\nintent,-1,higher,min_max\n")
patron_expect(EXIT 2 STDERR "criteria.weight\\[0\\] \\(-1\\) must be finite and non-negative" ARGS leads score ${negative} ${leads})
patron_write_file(zero zero.csv "criterion,weight,direction,normalisation\nintent,0,higher,min_max\n")
patron_expect(EXIT 2 STDERR "criteria weights must not all be zero" ARGS leads score ${zero} ${leads})
patron_write_file(unknown unknown.csv "criterion,weight,direction,normalisation\nnope,1,higher,min_max\n")
patron_expect(EXIT 2 STDERR "leads.csv: criterion 'nope' is not a column" ARGS leads score ${unknown} ${leads})
patron_write_file(strict strict.csv "criterion,weight,direction,normalisation\nvalue,1,higher,min_max\n")
patron_expect(EXIT 2 STDERR "X\\(1, 0\\) \\(nan\\) must be finite \\(criterion 'value' rejects missing values\\)"
  ARGS leads score ${strict} ${leads})
patron_write_file(direction direction.csv "criterion,weight,direction,normalisation\nvalue,1,up,min_max\n")
patron_expect(EXIT 2 STDERR "direction.csv:2: column 'direction': 'up' is not higher or lower" ARGS leads score ${direction} ${leads})
patron_expect(EXIT 2 STDERR "unknown action 'rank'" ARGS leads rank)
patron_expect(EXIT 2 STDERR "missing LEADS file" ARGS leads score ${criteria})
