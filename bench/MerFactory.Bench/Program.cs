using System.Reflection;
using MerFactory.Bench;

var benchmarks = Assembly.GetExecutingAssembly().GetTypes()
    .Where(t => typeof(IBenchmark).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
    .Select(t => (IBenchmark)Activator.CreateInstance(t)!)
    .OrderBy(b => b.Name, StringComparer.Ordinal)
    .ToList();

if (args.Length == 0 || args[0] is "-h" or "--help" or "list")
{
    Console.WriteLine("usage: merfactory-bench NAME [args...]   (or 'all')");
    foreach (var b in benchmarks) Console.WriteLine($"  {b.Name,-14} {b.Description}");
    return args.Length == 0 ? 2 : 0;
}

using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
var selected = args[0] == "all" ? benchmarks : benchmarks.Where(b => b.Name == args[0]).ToList();
if (selected.Count == 0)
{
    Console.Error.WriteLine($"unknown benchmark '{args[0]}'; run with --help for the list");
    return 2;
}

var exitCode = 0;
foreach (var benchmark in selected)
{
    Console.WriteLine($"== {benchmark.Name}: {benchmark.Description}");
    exitCode |= await benchmark.RunAsync(args[1..], Console.Out, cts.Token);
}
return exitCode;
