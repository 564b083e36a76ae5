warning(String([1, 'a'] == [1, 'A']))
site { }
