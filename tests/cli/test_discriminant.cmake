# patron lda / patron qda: fit reports, predictions, JSON, and one-line errors (exit 2).
include(${CMAKE_CURRENT_LIST_DIR}/cli_common.cmake)

# Fisher's iris from scikit-learn's copy, with a named header.
file(READ ${SOURCE_DIR}/tests/data/sklearn/iris.csv iris_text)
# (REGEX REPLACE with ^ would match again after each replacement: cut the line instead.)
string(FIND "${iris_text}" "\n" first_newline)
math(EXPR body_start "${first_newline} + 1")
string(SUBSTRING "${iris_text}" ${body_start} -1 iris_body)
set(iris_text "sepal_length,sepal_width,petal_length,petal_width,species\n${iris_body}")
patron_write_file(iris iris.csv "${iris_text}")

# MASS::lda(Species ~ ., iris): proportion of trace 0.9912 / 0.0088; CV = TRUE misclassifies
# 3 of 150 rows (2%); qda(CV = TRUE) 4 of 150.
patron_expect(EXIT 0 STDOUT "\nproportion_of_trace,LD1,,0\\.9912[0-9]*\nscaling,LD2"
  ARGS lda ${iris} --label species)
patron_expect(EXIT 0 STDOUT "proportion_of_trace,LD2,,0\\.0087[0-9]*\n" ARGS lda ${iris} --label species)
patron_expect(EXIT 0 STDOUT "\ncv_error,leave-one-out,,0\\.02\n" ARGS lda ${iris} --label species)
patron_expect(EXIT 0 STDOUT "^quantity,label,feature,value\nprior,0,,0\\.333"
  ARGS lda ${iris} --label species --solver eigen --shrinkage auto)
patron_expect(EXIT 0 STDOUT "\ncv_error,leave-one-out,,0\\.0266[0-9]*\n" ARGS qda ${iris} --label species)
patron_expect(EXIT 0 STDOUT "\"cv_error\": 0\\.02" ARGS lda ${iris} --label species --json)
patron_expect(EXIT 0 STDOUT "^quantity,label,feature,value\n.*training_error" ARGS qda ${iris}
  --label species --reg-param 0.1 --no-cv)

# Predictions of a second file, with probabilities per class.
patron_write_file(new new.csv "sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n6.5,3.0,5.5,2.0\n")
patron_expect(EXIT 0 STDOUT "^row,predicted,p_0,p_1,p_2\n1,0,1,[0-9.e-]+,[0-9.e-]+\n2,2,"
  ARGS lda ${iris} --label species --predict ${new})
patron_expect(EXIT 0 STDOUT "^row,predicted,p_0,p_1,p_2\n1,0," ARGS qda ${iris} --label species --predict ${new})

# Bad input: one line on stderr, exit code 2.
patron_write_file(one one.csv "a,b,label\n1,2,x\n2,3,x\n3,5,x\n")
patron_expect(EXIT 2 STDERR "patron lda: patron::fit_lda: y \\(0\\) is the only class" ARGS lda ${one})
patron_write_file(single single.csv "a,b,label\n1,2,x\n2,3,x\n3,5,x\n4,4,y\n")
patron_expect(EXIT 2 STDERR "class \\(1\\) has 1 row\\(s\\); QDA needs at least 2" ARGS qda ${single})
patron_write_file(badnum badnum.csv "a,b,label\n1,2,x\n2,abc,y\n")
patron_expect(EXIT 2 STDERR "badnum.csv:3: column 'b': 'abc' is not a number" ARGS lda ${badnum})
patron_expect(EXIT 2 STDERR "options.priors sum to 1\\.2, not 1"
  ARGS lda ${iris} --label species --priors 0.5,0.6,0.1)
patron_expect(EXIT 2 STDERR "options.priors\\[1\\] \\(-0\\.1[0-9]*\\) must be finite and positive"
  ARGS lda ${iris} --label species --priors 0.6,-0.1,0.5)
patron_expect(EXIT 2 STDERR "options.shrinkage_value \\(2\\) must be in \\[0, 1\\]"
  ARGS lda ${iris} --label species --solver eigen --shrinkage 2)
patron_expect(EXIT 2 STDERR "options.shrinkage needs solver eigen or lsqr"
  ARGS lda ${iris} --label species --shrinkage auto)
patron_expect(EXIT 2 STDERR "--solver: 'qr' is not one of svd, eigen, lsqr" ARGS lda ${iris} --label species --solver qr)
patron_expect(EXIT 2 STDERR "options.reg_param \\(1\\.5\\) must be in \\[0, 1\\]"
  ARGS qda ${iris} --label species --reg-param 1.5)
patron_expect(EXIT 2 STDERR "no column 'kind'" ARGS lda ${iris} --label kind)
patron_write_file(narrow narrow.csv "sepal_length,sepal_width\n5.1,3.5\n")
patron_expect(EXIT 2 STDERR "no column 'petal_length'" ARGS lda ${iris} --label species --predict ${narrow})
