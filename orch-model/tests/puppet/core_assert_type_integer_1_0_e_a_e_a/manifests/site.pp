warning(String(assert_type('Integer[1]', 0) |$e, $a| { "${e}:${a}" }))
site { }
