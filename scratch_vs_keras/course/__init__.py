"""The course's own perceptron and its bridge to Keras, in one place.

- :mod:`.estimator`: ``CourseMLP``, the notebooks' perceptron in the lecture's conventions (W as
  ``(out, in)``, the summed cost, the bias as a row of ones or a vector), a scikit-learn
  classifier on the package's NumPy engine. NumPy, SciPy and scikit-learn only: importing it
  never imports TensorFlow.
- :mod:`.rules`: the notebooks' training rules (learning-rate decrease, L2 gradient, look-back and
  heavy-ball momentum, AdaGrad, the biases' plain step) and the cost each notebook records.
- :mod:`.presets`: one ``variant=`` preset per perceptron class of notebooks 07, 07a, 08, 08a.
- :mod:`.solvers`: 08's dropout epochs and 07/07a's L-BFGS-B (SciPy), which Keras cannot follow.
- :mod:`.weights`: the lecture's layout ``W (out, in + 1)``, bias in column 0, against Keras's
  kernel and bias; the course's initial draws.
- :mod:`.keras`: the smallest Keras-side pieces that follow the course where stock Keras does
  not (``CourseL2``, ``CourseLearningRate``, ``CourseSGD``) and ``course_to_keras``.
- :mod:`.compare`: ``compare_course``, both trained side by side through ``model.fit``.
- :mod:`.conventions`: the generated table of conventions and their measured residuals.

Nothing is imported here, so ``scratch_vs_keras.course.estimator`` stays free of TensorFlow.
"""
