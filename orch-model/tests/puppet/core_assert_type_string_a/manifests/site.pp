warning(String(assert_type(String, 'a')))
site { }
