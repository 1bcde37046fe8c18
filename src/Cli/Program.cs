// NOTE: the graddiag commands are not implemented yet; until they are, the tool states so and exits with 2.
Console.Error.WriteLine("graddiag: no commands are available in this build yet. Run the sample instead: dotnet run --project samples/TinyMlp");
return 2;
