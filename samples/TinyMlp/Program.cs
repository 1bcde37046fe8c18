Console.WriteLine("The TinyMlp sample is being written.");
