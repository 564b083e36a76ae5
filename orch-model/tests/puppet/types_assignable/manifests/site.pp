# Type[T] checks and <= between types: assignability, pair by pair ([T, U]: is U a T?).
$pairs = [
  [Numeric, Integer], [Numeric, Float], [Integer, Numeric], [Integer[0, 10], Integer[1, 5]], [Integer[1, 5], Integer[0, 10]],
  [Integer[0], Integer[1, 5]], [Integer[0], Integer], [Float[0.0, 1.0], Float[0.5, 0.6]], [Numeric, Integer[1,2]],
  [String, String[1]], [String[1], String], [String[1, 5], String[2, 3]], [String, Enum['a', 'b']], [String[2], Enum['a', 'bb']],
  [Enum['a', 'b', 'c'], Enum['a', 'b']], [Enum['a'], Enum['a', 'b']], [Pattern[/a/], Enum['a', 'ba']], [Pattern[/a/], Enum['b']],
  [String, Pattern[/a/]], [Enum['a'], String], [Scalar, String], [Scalar, Regexp], [ScalarData, Regexp], [ScalarData, Integer],
  [Data, Array[Integer]], [Data, Hash[String, Integer]], [Data, Hash[Integer, Integer]], [Data, Regexp], [Data, Undef], [Data, Optional[String]],
  [RichData, Regexp], [RichData, Type], [RichData, Default], [Any, Notify], [Array, Array[Integer]], [Array[Numeric], Array[Integer]],
  [Array[Integer], Array[Numeric]], [Array[Integer, 1], Array[Integer]], [Array[Integer], Array[Integer, 1, 3]], [Array[Integer], Tuple[Integer, Integer]],
  [Array[Integer], Tuple[Integer, String]], [Tuple[Integer, Integer], Array[Integer, 2, 2]], [Tuple[Integer, Integer], Array[Integer]],
  [Tuple[Numeric, String], Tuple[Integer, String]], [Tuple[Integer], Tuple[Integer, Integer]], [Hash, Hash[String, Integer]],
  [Hash[String, Numeric], Hash[String, Integer]], [Hash[String, Integer], Hash[String, Numeric]], [Hash[String, Integer], Struct[{a => Integer}]],
  [Struct[{a => Integer}], Struct[{a => Integer}]], [Struct[{a => Numeric, Optional[b] => String}], Struct[{a => Integer}]],
  [Struct[{a => Integer}], Struct[{a => Integer, b => String}]], [Struct[{a => Integer, b => String}], Struct[{a => Integer}]],
  [Optional[Integer], Integer], [Optional[Integer], Undef], [Optional[Numeric], Optional[Integer]], [Integer, Optional[Integer]],
  [Variant[Integer, String], Integer], [Variant[Integer, String], Variant[String, Integer[1,2]]], [Integer, Variant[Integer[1,2], Integer[3,4]]],
  [NotUndef, Integer], [NotUndef, Undef], [NotUndef[Integer], Integer[1,2]], [NotUndef, Optional[Integer]], [Undef, Undef], [Default, Default],
  [Boolean, Boolean], [Boolean, Integer], [Type, Type[Integer]], [Type[Numeric], Type[Integer]], [Type[Integer], Type[Numeric]], [Type[Integer], Type],
  [Regexp, Regexp[/a/]], [Regexp[/a/], Regexp], [Collection, Array[Integer]], [Collection, Hash], [Collection[1], Array[Integer, 2]], [Collection[1], Array],
  [Iterable, Array], [Iterable, String], [Iterable, Integer[1, 3]], [Iterable, Integer], [Resource, Notify], [Resource, Resource['notify']], [Resource['notify'], Notify],
  [Notify, Resource['notify']], [CatalogEntry, Notify], [CatalogEntry, Class], [Class, Class['x']], [Class['x'], Class], [Notify, Notify], [Notify, File],
  [M::Port, Integer[80, 80]], [M::Port, Integer], [Integer, M::Port], [Numeric, M::Port], [String, M::Name], [M::Name, Enum['abc']], [M::Name, Enum['ABC']],
  [Sensitive, Sensitive[String]], [Sensitive[String], Sensitive], [Sensitive[String], Sensitive[String[1]]], [Optional['a'], Enum['a']], [Optional['a'], Undef],
  [Array[Integer], Array[0, 0]], [Hash[String, String], Hash[0, 0]], [Data, Tuple[Integer, String]], [Data, Struct[{a => Integer}]], [Scalar, Enum['x']],
  [Variant[Integer, String], Optional[Integer]], [Optional[Variant[Integer, String]], Optional[Integer]], [Any, Any], [Integer, Any],
]
$r = $pairs.map |$p| { [$p[1] =~ Type[$p[0]], $p[1] <= $p[0]] }
warning(String($r.map |$x| { if $x[0] { 'T' } else { 'f' } }.join('')))
warning(String($r.map |$x| { if $x[1] { 'T' } else { 'f' } }.join('')))
warning(String([Integer < Numeric, Numeric > Integer, Integer < Integer, Integer <= Integer, Integer >= Numeric, Numeric >= Float]))
site { }
