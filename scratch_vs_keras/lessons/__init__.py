"""The lessons: a gradient checker that gives a student evidence (:mod:`.checker`, with
:mod:`.lecture`, :mod:`.evidence` and the catalogue of mistakes :mod:`.mistakes`), the ``check``
command's runs of students' own files and a class's folder (:mod:`.submissions`,
:mod:`.sandbox`, :mod:`.class_page`), and the runner that executes the bridge lessons into
notebooks and pages (:mod:`.runner`)."""

from .checker import Feedback, check_gradients, check_lecture_gradients
from .figures import plot_run_losses
from .keras_check import KerasModelCheck, check_keras_model
from .progress import Exercises, check_values
from .runner import (LESSONS_FOLDER, LessonFailed, copy_lessons, execute_lessons, lesson_copy_targets,
                     lesson_files, quick, run_lessons, solved_notebook)

__all__ = ["Exercises", "Feedback", "KerasModelCheck", "LESSONS_FOLDER", "LessonFailed",
           "check_gradients", "check_keras_model", "check_values", "check_lecture_gradients", "copy_lessons",
           "execute_lessons", "lesson_copy_targets", "lesson_files", "plot_run_losses", "quick", "run_lessons",
           "solved_notebook"]
