# The function form: placed at the name.
$x = map(Integer[1, default]) |$v| { $v }
site { }
