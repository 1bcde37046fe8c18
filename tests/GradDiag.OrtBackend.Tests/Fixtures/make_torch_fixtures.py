"""Regenerates the PyTorch fixtures used by TorchFixtureTests (development only; tests do not run Python).

Each fixture is a model exported by torch.onnx.export with its loss inside the graph, plus a JSON file
with the inputs, the parameters' values and the gradients that PyTorch autograd computed for them.
Run with: python3 make_torch_fixtures.py  (tested with torch 1.13 and onnx 1.12).
"""
import json

import torch


class Mlp(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(6, 5)
        self.fc2 = torch.nn.Linear(5, 4)
        self.scale = torch.nn.Parameter(torch.linspace(0.5, 1.5, 4))

    def forward(self, x, target):
        h = x.view(x.size(0), -1)
        h = torch.nn.functional.gelu(self.fc1(h))
        h = torch.tanh(self.fc2(h)) * self.scale
        h = torch.cat([h[:, :2], torch.sigmoid(h[:, 2:])], dim=1)
        return ((h - target) ** 2).mean()


def export(name, model, inputs, opset):
    torch.onnx.export(
        model, inputs, f"{name}.onnx", input_names=["x", "target"], output_names=["loss"],
        dynamic_axes={"x": {0: "batch"}, "target": {0: "batch"}}, opset_version=opset,
        do_constant_folding=False, keep_initializers_as_inputs=False)
    loss = model(*inputs)
    loss.backward()
    record = {
        "loss": loss.item(),
        "inputs": {"x": {"dims": list(inputs[0].shape), "values": inputs[0].flatten().tolist()},
                   "target": {"dims": list(inputs[1].shape), "values": inputs[1].flatten().tolist()}},
        "gradients": {n: p.grad.flatten().tolist() for n, p in model.named_parameters()},
    }
    with open(f"{name}.json", "w") as f:
        json.dump(record, f, indent=1)


torch.manual_seed(0)
mlp = Mlp()
export("torch_mlp_opset13", mlp, (torch.randn(3, 2, 3), torch.randn(3, 4)), 13)
mlp.zero_grad()
export("torch_mlp_opset17", mlp, (torch.randn(3, 2, 3), torch.randn(3, 4)), 17)
