;; No identifiers at all: the name section is still written, with its local names subsection.
(module
  (func (param i32) (result i32) (local.get 0))
  (memory 1))
