warning(String(reverse_each([1, 2, 3])))
site { }
