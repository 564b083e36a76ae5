Puppet::Functions.create_function(:'n::g') do
  def g(x)
    x
  end
end
