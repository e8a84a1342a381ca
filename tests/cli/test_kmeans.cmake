# patron kmeans: labels out, centres and inertia in --json, --sweep, one-line errors.
include(${CMAKE_CURRENT_LIST_DIR}/cli_common.cmake)
# Iris from scikit-learn's copy, with named columns f0..f3.
file(READ ${SOURCE_DIR}/tests/data/sklearn/iris.csv iris_text)
string(FIND "${iris_text}" "\n" first_newline)
math(EXPR body_start "${first_newline} + 1")
string(SUBSTRING "${iris_text}" ${body_start} -1 iris_body)
patron_write_file(IRIS iris.csv "f0,f1,f2,f3,target\n${iris_body}")

# Labels, one row per input row.
patron_expect(EXIT 0 STDOUT "^row,cluster\n1,[0-2]\n2,[0-2]\n" ARGS kmeans ${IRIS} --columns f0,f1,f2,f3 --k 3)
# The best k = 3 inertia of iris (scikit-learn: 78.851441426146, tests/reference/kmeans).
patron_expect(EXIT 0 STDOUT "\"inertia\": 78\\.85144142614[0-9]*,"
  ARGS kmeans ${IRIS} --columns f0,f1,f2,f3 --k 3 --json)
patron_expect(EXIT 0 STDOUT "\"centers\": " ARGS kmeans ${IRIS} --columns f0,f1,f2,f3 --k 3 --json)
# Same seed, same labels for any thread count and for Hamerly.
patron_expect(EXIT 0 STDOUT "^row,cluster" ARGS kmeans ${IRIS} --columns f0,f1,f2,f3 --k 4 --seed 3 --threads 1)
set(one "${PATRON_LAST_STDOUT}")
patron_expect(EXIT 0 STDOUT "^row,cluster" ARGS kmeans ${IRIS} --columns f0,f1,f2,f3 --k 4 --seed 3 --threads 2 --algorithm hamerly)
if(NOT one STREQUAL PATRON_LAST_STDOUT)
  message(FATAL_ERROR "labels differ between --threads 1 (lloyd) and --threads 2 (hamerly)")
endif()
# Row names from a column; standardised features, centres back in input units.
patron_expect(EXIT 0 STDOUT "\n2,[0-2]\n" ARGS kmeans ${IRIS} --id-column target --k 3 --standardize)
patron_expect(EXIT 0 STDOUT "\"standardized\": true" ARGS kmeans ${IRIS} --id-column target --k 3 --standardize --json)

# The sweep: one row per k; k = 3 again reaches 78.8514.
patron_expect(EXIT 0 STDOUT "^k,inertia,silhouette,calinski_harabasz,davies_bouldin,iterations,converged,distinct_clusters\n2,[^\n]*\n3,78\\.85144[^\n]*\n4,[^\n]*\n5,[^\n]*\n$"
  ARGS kmeans ${IRIS} --columns f0,f1,f2,f3 --sweep 2..5)
patron_expect(EXIT 0 STDOUT "\"best_silhouette_k\": 2" ARGS kmeans ${IRIS} --columns f0,f1,f2,f3 --sweep 2..5 --json)

# Bad input: exit 2, one line naming the problem.
patron_write_file(nan nan.csv "a,b\n1,2\n3,nan\n")
patron_expect(EXIT 2 STDERR "X\\(1, 1\\) \\(nan\\) must be finite" ARGS kmeans ${nan} --k 1)
patron_write_file(constant constant.csv "a,b\n1,2\n3,2\n4,2\n")
patron_expect(EXIT 2 STDERR "column variance\\[1\\] \\(0\\) must be positive" ARGS kmeans ${constant} --k 2 --standardize)
patron_expect(EXIT 2 STDERR "options.k \\(5\\) must not exceed the number of rows \\(3\\)" ARGS kmeans ${constant} --k 5)
patron_expect(EXIT 2 STDERR "options.k \\(0\\) must be at least 1" ARGS kmeans ${constant} --k 0)
patron_expect(EXIT 2 STDERR "option --sweep: '2-3' is not a range like 2\\.\\.10" ARGS kmeans ${constant} --sweep 2-3)
patron_expect(EXIT 2 STDERR "sweep.k_max \\(3\\) must be less than the number of rows" ARGS kmeans ${constant} --sweep 2..3)
patron_expect(EXIT 2 STDERR "option --algorithm: 'foo' is not lloyd or hamerly" ARGS kmeans ${constant} --algorithm foo)
patron_expect(EXIT 2 STDERR "no column 'c'" ARGS kmeans ${constant} --columns a,c)
patron_write_file(text text.csv "a,b\n1,2\n3,x\n")
patron_expect(EXIT 2 STDERR "text.csv:3: column 'b': 'x' is not a number" ARGS kmeans ${text} --k 1)

# The demo names each segment by its centre.
patron_expect(EXIT 0 STDOUT "== k-means segments ==\n2357 customers clustered.*active, loyal" ARGS demo)
