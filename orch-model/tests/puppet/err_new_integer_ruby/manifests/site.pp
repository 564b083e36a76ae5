# The pattern accepts it, Ruby's Integer() does not: Ruby's words.
$x = Integer('08')
site { }
