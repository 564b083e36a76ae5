warning(String(assert_type(Integer, 'a')))
site { }
