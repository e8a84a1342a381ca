# patron tree: rules, text tree, JSON, predictions, cross-validated pruning, errors.
include(${CMAKE_CURRENT_LIST_DIR}/cli_common.cmake)

patron_write_file(seg seg.csv
  "customer,recency,frequency,segment\n1,10,5,Champions\n2,20,6,Champions\n3,25,8,Champions\n4,30,4,Champions\n5,40,5,Others\n6,50,6,Others\n7,60,7,Others\n8,12,1,Others\n9,15,2,Others\n")

# One readable rule per leaf, left to right.
patron_expect(EXIT 0
  STDOUT "^IF recency <= 35\\.00 AND frequency <= 3\\.00 THEN \"Others\" \\(n = 2, 100% purity\\)\nIF recency <= 35\\.00 AND frequency > 3\\.00 THEN \"Champions\" \\(n = 4, 100% purity\\)\nIF recency > 35\\.00 THEN \"Others\" \\(n = 3, 100% purity\\)\n$"
  ARGS tree ${seg} --label segment --id customer)
patron_expect(EXIT 0 STDOUT "^IF recency <= 35 AND" ARGS tree ${seg} --label segment --id customer --decimals 0)
# scikit-learn's export_text layout.
patron_expect(EXIT 0 STDOUT "^\\|--- recency <= 35\\.00\n\\|   \\|--- frequency <= 3\\.00\n\\|   \\|   \\|--- class: Others\n"
  ARGS tree ${seg} --label segment --features recency,frequency --output text)
patron_expect(EXIT 0 STDOUT "\"leaves\": 3, \"depth\": 2, \"rules\": .*\"class_name\": \"Champions\", \"purity\": 1"
  ARGS tree ${seg} --label segment --id customer --json)
# Depth limit and entropy.
patron_expect(EXIT 0 STDOUT "^IF recency <= 35\\.00 THEN \"Champions\" \\(n = 6, 67% purity\\)\n"
  ARGS tree ${seg} --label segment --id customer --max-depth 1 --criterion entropy)
# Scoring a second file, keyed by the id column.
patron_expect(EXIT 0 STDOUT "^customer,leaf,prediction,p_Champions,p_Others\n1,3,Champions,1,0\n"
  ARGS tree ${seg} --label segment --id customer --predict ${seg})
# Scoring threads change nothing (the file is too small for a second thread; the
# library tests compare 1, 2 and 3 threads on 13,000 rows).
patron_expect(EXIT 0 STDOUT "^customer,leaf,prediction,p_Champions,p_Others\n1,3,Champions,1,0\n"
  ARGS tree ${seg} --label segment --id customer --predict ${seg} --threads 2)
patron_expect(EXIT 2 STDERR "option --threads: '-1' must be in \\[0, 1024\\]"
  ARGS tree ${seg} --label segment --predict ${seg} --threads -1)
# Cross-validated alpha: the cp table, and the note above the rules.
patron_expect(EXIT 0 STDOUT "^ccp_alpha,leaves,cv_error,cv_standard_error,chosen\n0,3,"
  ARGS tree ${seg} --label segment --id customer --cv 3 --cp-table)
patron_expect(EXIT 0 STDOUT "^# ccp_alpha [0-9.e-]+ chosen by 3-fold cross-validation \\(1-SE rule\\)\nIF "
  ARGS tree ${seg} --label segment --id customer --cv 3 --one-se)
patron_expect(EXIT 0 STDOUT "^IF TRUE THEN \"Others\" \\(n = 9, 56% purity\\)\n$"
  ARGS tree ${seg} --label segment --id customer --ccp-alpha 0.5)
# Regression tree.
patron_expect(EXIT 0 STDOUT "^IF recency <= 17\\.50 THEN value = 2\\.67 \\(n = 3\\)\nIF recency > 17\\.50 THEN value = 6\\.00 \\(n = 6\\)\n$"
  ARGS tree ${seg} --label frequency --features recency --regression --max-depth 1)

# Bad input: exit 2, one line.
patron_expect(EXIT 2 STDERR "no column 'label'" ARGS tree ${seg})
patron_expect(EXIT 2 STDERR "seg.csv:2: column 'segment': 'Champions' is not a number"
  ARGS tree ${seg} --features segment --label recency)
patron_write_file(nan nan.csv "x,z,y\n1,2,a\nnan,3,b\n")
patron_expect(EXIT 2 STDERR "patron::fit_tree_classifier: X\\(1, 0\\) \\(nan\\) must be finite" ARGS tree ${nan} --label y)
patron_write_file(inf inf.csv "x,z,y\n1,2,a\n2,3,b\n")
patron_write_file(badpredict badpredict.csv "x,z,y\n1,2,a\ninf,3,b\n")
patron_expect(EXIT 2 STDERR "patron::tree_classifier::predict: X\\(1, 0\\) \\(inf\\) must be finite"
  ARGS tree ${inf} --label y --predict ${badpredict})
patron_write_file(other other.csv "z\n1\n")
patron_expect(EXIT 2 STDERR "no column 'x'" ARGS tree ${inf} --label y --predict ${other})
patron_expect(EXIT 2 STDERR "options.min_samples_leaf \\(0\\) must be >= 1"
  ARGS tree ${seg} --label segment --min-samples-leaf 0)
patron_expect(EXIT 2 STDERR "options.max_depth \\(0\\) must be >= 1" ARGS tree ${seg} --label segment --max-depth 0)
patron_expect(EXIT 2 STDERR "options.ccp_alpha \\(-1\\) must be finite and non-negative"
  ARGS tree ${seg} --label segment --ccp-alpha -1)
patron_expect(EXIT 2 STDERR "cv.folds \\(20\\) must be in .2, rows of X." ARGS tree ${seg} --label segment --cv 20)
patron_expect(EXIT 2 STDERR "--cv chooses the alpha" ARGS tree ${seg} --label segment --cv 3 --ccp-alpha 0.1)
patron_expect(EXIT 2 STDERR "option --criterion: 'gain' is not one of gini, entropy"
  ARGS tree ${seg} --label segment --criterion gain)
patron_expect(EXIT 2 STDERR "option --output: 'tree' is not one of rules, text"
  ARGS tree ${seg} --label segment --output tree)
patron_write_file(empty empty.csv "x,y\n")
patron_expect(EXIT 2 STDERR "X must not be empty" ARGS tree ${empty} --label y)

# The demo section.
patron_expect(EXIT 0 STDOUT "== Segment rules from a decision tree ==\nWho came back after the cut-off\\?.*\n  IF weeks_since_last <= [0-9.]+ AND repeat_purchases"
  ARGS demo)
